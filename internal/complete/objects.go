//go:build linux

package complete

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/inventory"
)

// ObjectQuery says which objects an address argument takes.
type ObjectQuery struct {
	// Kinds are the kinds the command acts on; nil for all (rm).
	Kinds []inventory.Kind
	// POSIXOnly: the argument is a /NAME (mq notify, shm resize), or --posix was given;
	// SysVOnly: --sysv was given.
	POSIXOnly, SysVOnly bool
	// NS is the namespace to list (the global --ns); the zero value is this one.
	NS inventory.Namespace
}

// The System V address forms, as the user starts to type them.
const (
	keyForm = "key:"
	idForm  = "id:"
	hexForm = "0x"
)

// Objects are the addresses of the existing objects q selects that start with prefix: a POSIX
// object as /name (esc:/name when the name needs escapes), a System V one as id:N and by its key
// (0x0000abcd, or key:0x… once key: is typed). Only the flavors the prefix can still name are read:
// "/" reads no System V table, "0x", "key:" and "id:" no POSIX directory, and a POSIX prefix reads
// only the names that start with it.
func Objects(q ObjectQuery, prefix string) (Result, error) {
	posix, sysv := flavorsOf(prefix)
	if q.POSIXOnly {
		sysv = false
	}
	if q.SysVOnly {
		posix = false
	}
	if !posix && !sysv {
		return Result{}, nil
	}
	opts := inventory.Options{}
	if len(q.Kinds) > 0 {
		opts.Kinds = map[inventory.Kind]bool{}
		for _, k := range q.Kinds {
			opts.Kinds[k] = true
		}
	}
	switch {
	case posix && !sysv:
		opts.Flavors = map[inventory.Flavor]bool{inventory.POSIX: true}
	case sysv && !posix:
		opts.Flavors = map[inventory.Flavor]bool{inventory.SysV: true}
	}
	if strings.HasPrefix(prefix, "/") {
		opts.NamePrefix = prefix
	}
	var inv *inventory.Inventory
	err := q.NS.Do(func() error {
		var err error
		inv, err = q.NS.List(opts)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	var r Result
	for i := range inv.Objects {
		o := &inv.Objects[i]
		desc := describe(o)
		if o.Flavor == inventory.POSIX {
			if a := addr.Escaped(o.Name); strings.HasPrefix(a, prefix) {
				r.Candidates = append(r.Candidates, Candidate{Value: a, Description: desc})
			}
			continue
		}
		if k := keyAddress(o, prefix); k != "" {
			r.Candidates = append(r.Candidates, Candidate{Value: k, Description: desc})
		}
		if a := idForm + strconv.Itoa(int(o.ID)); strings.HasPrefix(a, prefix) {
			r.Candidates = append(r.Candidates, Candidate{Value: a, Description: desc})
		}
	}
	return r, nil
}

// flavorsOf says which flavors an address that starts with prefix can name.
func flavorsOf(prefix string) (posix, sysv bool) {
	switch {
	case prefix == "":
		return true, true
	case strings.HasPrefix(prefix, "/"):
		return true, false
	}
	for _, f := range []string{keyForm, idForm, hexForm, "0X"} {
		if strings.HasPrefix(prefix, f) || strings.HasPrefix(f, prefix) {
			sysv = true
		}
	}
	return strings.HasPrefix(prefix, addr.EscPrefix) || strings.HasPrefix(addr.EscPrefix, prefix), sysv
}

// keyAddress is the address of a System V object by its key in the form prefix has begun (the
// hex form ls prints, 0x0000abcd, when it has begun none), or "" when the object has no key
// (IPC_PRIVATE) or no form of its key starts with prefix.
func keyAddress(o *inventory.Object, prefix string) string {
	if o.Key == 0 {
		return ""
	}
	k := uint64(uint32(o.Key))
	hex := strconv.FormatUint(k, 16)
	padded := strings.Repeat("0", 8-len(hex)) + hex
	var forms []string
	switch {
	case prefix == "":
		return hexForm + padded
	case strings.HasPrefix(prefix, "k"):
		forms = []string{keyForm + hexForm + padded, keyForm + hexForm + hex, keyForm + strconv.FormatUint(k, 10)}
	case strings.HasPrefix(prefix, "0X"):
		forms = []string{"0X" + strings.ToUpper(padded), "0X" + strings.ToUpper(hex)}
	case strings.HasPrefix(prefix, "0"):
		forms = []string{hexForm + padded, hexForm + hex}
	}
	for _, f := range forms {
		if strings.HasPrefix(f, prefix) {
			return f
		}
	}
	return ""
}

// kindName is the kind k of flavor f as descriptions name it; "" for one they do not know.
func kindName(f inventory.Flavor, k inventory.Kind) string {
	switch f {
	case inventory.SysV:
		switch k {
		case inventory.MQ:
			return "System V queue"
		case inventory.Sem:
			return "System V semaphore set"
		case inventory.Shm:
			return "System V shared memory"
		}
	case inventory.POSIX:
		switch k {
		case inventory.MQ:
			return "POSIX queue"
		case inventory.Sem:
			return "POSIX semaphore"
		case inventory.Shm:
			return "POSIX shared memory"
		}
	}
	return ""
}

// describe is the description of an object: its kind and flavor, and its size as ls counts it.
func describe(o *inventory.Object) string {
	d := kindName(o.Flavor, o.Kind)
	if d == "" {
		d = fmt.Sprintf("%s %s", o.Flavor, o.Kind)
	}
	if o.Flavor == inventory.SysV && o.Key != 0 {
		d += " " + o.Key.String()
	}
	switch o.Kind {
	case inventory.MQ:
		if o.Messages >= 0 && o.Flavor == inventory.SysV {
			d += ", " + count(o.Messages, "message")
		}
		if o.Size >= 0 {
			d += ", " + count(o.Size, "byte")
		}
	case inventory.Sem:
		if o.Flavor == inventory.SysV {
			d += ", " + count(o.Size, "semaphore")
		}
	case inventory.Shm:
		d += ", " + count(o.Size, "byte")
	}
	return d
}

func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(n, 10) + " " + noun + "s"
}
