//go:build linux

package inventory

import (
	"cmp"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/sysv"
)

// Filter selects objects. Its zero value selects every object.
type Filter struct {
	Kinds     map[Kind]bool   // nil: every kind
	Flavors   map[Flavor]bool // nil: both
	Owner     *uint32         // the owner's uid
	OwnedBy   *uint32         // a uid that owns or created the object (rm --all: one's own)
	OlderThan time.Duration   // created (last changed) at least this long ago; 0: any age
	Now       time.Time       // the time OlderThan counts from
	Orphaned  bool            // orphans only (needs holders, see Options.Holders)
	Name      string          // a glob (path.Match) on the name, key or address
}

// Match reports whether f selects o.
func (f Filter) Match(o *Object) bool {
	if f.Kinds != nil && !f.Kinds[o.Kind] {
		return false
	}
	if f.Flavors != nil && !f.Flavors[o.Flavor] {
		return false
	}
	if f.Owner != nil && o.UID != *f.Owner {
		return false
	}
	if f.OwnedBy != nil && o.UID != *f.OwnedBy && o.CUID != *f.OwnedBy {
		return false
	}
	if f.OlderThan > 0 && (o.CTime.IsZero() || f.Now.Sub(o.CTime) < f.OlderThan) {
		return false
	}
	if f.Orphaned && !(o.HoldersKnown && o.Orphaned) {
		return false
	}
	if f.Name != "" && !MatchName(f.Name, o) {
		return false
	}
	return true
}

// MatchName reports whether the glob pattern matches o: a POSIX object by its name (with or
// without the leading slash), a System V one by its key (0x1a2b…) or its address (id:N).
func MatchName(pattern string, o *Object) bool {
	var cands []string
	if o.Flavor == POSIX {
		cands = []string{o.Name, o.Name[1:]}
	} else {
		cands = []string{o.Key.String(), o.Address()}
	}
	for _, c := range cands {
		if ok, _ := path.Match(pattern, c); ok {
			return true
		}
	}
	return false
}

// ValidGlob checks a --name pattern.
func ValidGlob(pattern string) error {
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("bad pattern %q: %w", pattern, err)
	}
	return nil
}

// Select returns the objects f selects, in order. It filters in place: the result shares objs'
// storage, and objs must not be used afterwards.
func Select(objs []Object, f Filter) []Object {
	out := objs[:0]
	for i := range objs {
		if f.Match(&objs[i]) {
			out = append(out, objs[i])
		}
	}
	if out == nil {
		out = []Object{}
	}
	return out
}

// SortFields are the fields Sort takes.
var SortFields = []string{"kind", "flavor", "name", "key", "id", "owner", "mode", "size", "messages", "holders", "ctime", "age"}

// Sort sorts objs by field (one of SortFields), stably; ties keep the listing order. owner names
// the uids for the owner field.
func Sort(objs []Object, field string, owner func(uint32) string) error {
	var c func(a, b *Object) int
	switch field {
	case "kind":
		c = func(a, b *Object) int { return cmp.Compare(a.Kind, b.Kind) }
	case "flavor":
		c = func(a, b *Object) int { return cmp.Compare(a.Flavor, b.Flavor) }
	case "name", "key":
		c = func(a, b *Object) int { return cmp.Compare(sortName(a), sortName(b)) }
	case "id":
		c = func(a, b *Object) int { return cmp.Compare(a.ID, b.ID) }
	case "owner":
		c = func(a, b *Object) int { return cmp.Compare(owner(a.UID), owner(b.UID)) }
	case "mode":
		c = func(a, b *Object) int { return cmp.Compare(a.Mode&0o777, b.Mode&0o777) }
	case "size":
		c = func(a, b *Object) int { return cmp.Compare(a.Size, b.Size) }
	case "messages":
		c = func(a, b *Object) int { return cmp.Compare(a.Messages, b.Messages) }
	case "holders":
		c = func(a, b *Object) int { return cmp.Compare(len(a.Holders), len(b.Holders)) }
	case "ctime":
		c = func(a, b *Object) int { return a.CTime.Compare(b.CTime) }
	case "age":
		c = func(a, b *Object) int { return b.CTime.Compare(a.CTime) }
	default:
		return fmt.Errorf("unknown sort field %q: want one of %s", field, strings.Join(SortFields, ", "))
	}
	slices.SortStableFunc(objs, func(a, b Object) int { return c(&a, &b) })
	return nil
}

func sortName(o *Object) string {
	if o.Flavor == POSIX {
		return o.Name
	}
	return o.Key.String()
}

// ErrNoMatch is the lookup of an address that names none of the objects listed.
var ErrNoMatch = errors.New("no such object")

// Lookup returns the objects an address names: a POSIX name may be a queue, a semaphore and a
// shared memory object at once; a key or an id may name one object of each System V kind. kinds
// narrows the search (nil: any kind). An ftok address is resolved with ftok(3) first (a key that
// cannot be computed is an *ipc.KeyError). None found is no error: the caller says what ErrNoMatch
// means for it.
func Lookup(objs []Object, a addr.Addr, kinds map[Kind]bool) ([]Object, error) {
	var key sysv.Key
	switch a.Kind {
	case addr.Key:
		key = a.Key
	case addr.Ftok:
		k, err := a.SysVKey()
		if err != nil {
			return nil, &ipc.KeyError{Addr: a, Err: err}
		}
		key = k
	case addr.Private:
		return nil, fmt.Errorf("private names no existing object")
	}
	var out []Object
	for _, o := range objs {
		if kinds != nil && !kinds[o.Kind] {
			continue
		}
		switch a.Kind {
		case addr.POSIX:
			if o.Flavor == POSIX && o.Name == a.Name {
				out = append(out, o)
			}
		case addr.ID:
			if o.Flavor == SysV && o.ID == a.ID {
				out = append(out, o)
			}
		default:
			if o.Flavor == SysV && o.Key == key && key != sysv.Private {
				out = append(out, o)
			}
		}
	}
	return out, nil
}
