//go:build linux

package ipc

import (
	"errors"
	"fmt"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/sysv"
	"golang.org/x/sys/unix"
)

// Kind is an IPC object kind, whatever its flavor: what an address names once its flavor is
// known. Its value is the noun that names it ("mq", "sem", "shm"), as listings and JSON show it.
type Kind string

// The kinds.
const (
	KindQueue     Kind = "mq"  // message queue
	KindSemaphore Kind = "sem" // semaphore (System V: a set)
	KindSegment   Kind = "shm" // shared memory
)

// Flavor is the API family of an object, as listings and JSON show it.
type Flavor string

// The flavors.
const (
	SysV  Flavor = "sysv"
	POSIX Flavor = "posix"
)

// IDOptions say how SysVID makes an object that does not exist yet.
type IDOptions struct {
	Create    bool   // IPC_CREAT
	Exclusive bool   // with Create: IPC_EXCL, fail with EEXIST when it exists
	Mode      uint32 // with Create: permission bits of a new object
	NSems     int    // KindSemaphore with Create: semaphores in a new set
	Size      int64  // KindSegment with Create: bytes of a new segment
}

// SysVID returns the id of the System V object of kind k that a names: by key or ftok key with
// msgget(2), semget(2) or shmget(2), or by id, checked with IPC_STAT to exist (a missing one is
// ENOENT). private only creates (ErrPrivateNoObject otherwise); an id never does (ErrCreateByID).
// An ftok key that cannot be computed is a *KeyError.
func SysVID(a addr.Addr, k Kind, o IDOptions) (sysv.ID, error) {
	if a.Kind == addr.ID {
		if o.Create {
			return 0, ErrCreateByID
		}
		if err := sysvStat(k, a.ID); err != nil {
			if errors.Is(err, unix.EINVAL) {
				return 0, fmt.Errorf("%w", unix.ENOENT) // nothing with that id
			}
			return 0, err
		}
		return a.ID, nil
	}
	if a.Kind == addr.Private && !o.Create {
		return 0, ErrPrivateNoObject
	}
	key, err := a.SysVKey()
	if err != nil {
		return 0, &KeyError{Addr: a, Err: err}
	}
	flags := 0
	if o.Create {
		flags = sysv.Create | int(o.Mode&0o777)
		if o.Exclusive {
			flags |= sysv.Exclusive
		}
	}
	switch k {
	case KindQueue:
		return sysv.MsgGet(key, flags)
	case KindSemaphore:
		nsems := 0
		if o.Create {
			nsems = o.NSems
		}
		return sysv.SemGet(key, nsems, flags)
	default:
		size := 0
		if o.Create {
			size = int(o.Size)
		}
		return sysv.ShmGet(key, size, flags)
	}
}

func sysvStat(k Kind, id sysv.ID) error {
	var err error
	switch k {
	case KindQueue:
		_, err = sysv.MsgStat(id)
	case KindSemaphore:
		_, err = sysv.SemStat(id)
	default:
		_, err = sysv.ShmStat(id)
	}
	return err
}

// sysvCreate makes the System V object a names, exclusively first so that whether it was made is
// known; unless exclusive, an existing one is then looked up. It reports whether it created it.
func sysvCreate(a addr.Addr, k Kind, o IDOptions) (sysv.ID, bool, error) {
	excl := o
	excl.Create, excl.Exclusive = true, true
	id, err := SysVID(a, k, excl)
	if err == nil {
		return id, true, nil
	}
	if errors.Is(err, unix.EEXIST) && !o.Exclusive {
		id, err = SysVID(a, k, IDOptions{})
	}
	return id, false, err
}

// Made is what a create made or found, whatever the kind: its flavor and names, its mode, and
// whether it was made.
type Made struct {
	Flavor  Flavor
	Name    string   // POSIX: the /name
	Key     sysv.Key // System V
	ID      sysv.ID  // System V
	Mode    uint32   // permission bits
	Created bool
}

// Ref names an object as the commands' JSON does: its address, its flavor, and its POSIX name or
// System V key and id.
type Ref struct {
	Address string    `json:"address"`
	Flavor  Flavor    `json:"flavor"`
	Name    string    `json:"name,omitempty"`
	Key     *sysv.Key `json:"key,omitempty"`
	ID      *sysv.ID  `json:"id,omitempty"`
}

// Ref is how JSON names what was made.
func (m Made) Ref() Ref {
	return Ref{Address: m.Address(), Flavor: m.Flavor, Name: m.Name, Key: m.SysVKey(), ID: m.SysVID()}
}

// Address is the address later commands take: the /name, or id:N for System V (a private
// object has no other name).
func (m Made) Address() string {
	if m.Flavor == SysV {
		return fmt.Sprintf("id:%d", m.ID)
	}
	return m.Name
}

// SysVKey is the key of a System V object, nil for POSIX (for JSON that leaves it out).
func (m Made) SysVKey() *sysv.Key {
	if m.Flavor != SysV {
		return nil
	}
	return &m.Key
}

// SysVID is the id of a System V object, nil for POSIX.
func (m Made) SysVID() *sysv.ID {
	if m.Flavor != SysV {
		return nil
	}
	return &m.ID
}
