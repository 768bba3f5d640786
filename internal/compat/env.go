package compat

import (
	"fmt"
	"io"
	"os/user"
	"strconv"
	"sync"
	"time"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/sysv"
)

// Env is what a tool runs with: its output streams, the IPC objects it works on, and the pieces
// of its host command (help text, version).
type Env struct {
	Stdout, Stderr io.Writer
	// Open returns the System of the IPC namespace ns names (a pid or an ipc namespace file, as
	// ipcx's --ns takes it; "" for the caller's own). Ipcs and Ipcrm take --ns on their command
	// line. Its errors are returned by the tool as they are.
	Open func(ns string) (System, error)
	// NS is the namespace to use when the command line names none.
	NS string
	// Help prints the tool's help (for -h and --help).
	Help func() error
	// Version is printed for -V and --version: "TOOL (ipcx) VERSION".
	Version string
}

// System is the IPC objects of one namespace: what ipcs and lsipc print, ipcrm removes and ipcmk
// makes.
type System interface {
	// Snapshot reads what ipcs and lsipc print, in one go.
	Snapshot(Request) (*Snapshot, error)
	// Do runs fn inside the namespace (ipcrm's and ipcmk's calls), with the namespace's
	// directories. What fn returns is returned as it is.
	Do(fn func(Dirs) error) error
}

// Dirs are the directories of a namespace's POSIX objects.
type Dirs struct {
	Shm    string // /dev/shm (or the namespace's, as /proc/self/fd/N of a directory opened in its root)
	Mqueue string // its mqueue filesystem ("" when there is none)
	// Follow: entries of Shm that are symbolic links are followed, as util-linux does. Only in
	// the caller's own namespace: another namespace's links would be resolved in the host's root.
	Follow bool
}

// Request says what a Snapshot must hold beyond the objects.
type Request struct {
	Inventory inventory.Options
	Limits    bool // Snapshot.Limits (ipcs -l)
	Status    bool // Snapshot.Status (ipcs -u)
	// Detail asks for the Detail of the System V object of this kind and id (ipcs -i).
	Detail     inventory.Kind
	DetailID   sysv.ID
	WithDetail bool
	// Posix asks for Snapshot.Posix (lsipc -Q, -M, -S).
	Posix bool
}

// Snapshot is the system as ipcs prints it: the objects and whatever else the output format
// needs, and the few facts of the host the printers use. A captured Snapshot prints the same
// anywhere.
type Snapshot struct {
	Objects []inventory.Object
	Limits  []inventory.Limit
	Status  inventory.Status
	Detail  Detail
	// PageSize is the system's page size (ipcs -l -m counts shmall in pages).
	PageSize uint64
	// User and Group name an owner as getpwuid(3) and getgrgid(3) do (the number when unnamed).
	User, Group func(uint32) string
	// Location is the time zone of the times printed (time.Local when nil).
	Location *time.Location
	// Warnings are the inventory's: parts that could not be read.
	Warnings []error
	// Posix is /dev/mqueue and /dev/shm as lsipc reads them (when Request.Posix).
	Posix []PosixEntry
	// Now is the time lsipc's short times are relative to (time.Now() when zero).
	Now time.Time
	// Cmdline returns a process's command line, as lsipc's COMMAND column shows it (the real
	// /proc when nil).
	Cmdline func(pid int) (string, bool)
}

// Detail is what ipcs -i prints beyond an object's inventory record.
type Detail struct {
	QBytes  uint64          // a queue's msg_qbytes (0 when it could not be read)
	Sems    []sysv.SemState // a semaphore set's semaphores
	SemsErr error           // why Sems could not be read
}

// ExitStatus is the status a tool ends with once it has said why: the error Ipcs, Ipcrm and Ipcmk
// return after printing their own messages.
type ExitStatus int

func (s ExitStatus) Error() string { return "exit status " + strconv.Itoa(int(s)) }

// NamespaceError is a failure to parse or to enter the namespace of --ns. The tools do not word
// it: it is ipcx's, not util-linux's.
type NamespaceError struct {
	Spec  string              // --ns as given
	NS    inventory.Namespace // the namespace (zero when Spec did not parse)
	Parse bool                // Spec is not a pid or a path
	Err   error
}

func (e *NamespaceError) Error() string {
	if e.Parse {
		return fmt.Sprintf("invalid --ns %q: %v", e.Spec, e.Err)
	}
	return fmt.Sprintf("--ns: cannot enter %s: %v", e.NS, e.Err)
}

func (e *NamespaceError) Unwrap() error { return e.Err }

var userNames, groupNames sync.Map

// UserName returns the login name of uid, or the number when it has none.
func UserName(uid uint32) string {
	return lookupName(&userNames, uid, func(s string) (string, error) {
		u, err := user.LookupId(s)
		if err != nil {
			return "", err
		}
		return u.Username, nil
	})
}

// GroupName returns the name of gid, or the number when it has none.
func GroupName(gid uint32) string {
	return lookupName(&groupNames, gid, func(s string) (string, error) {
		g, err := user.LookupGroupId(s)
		if err != nil {
			return "", err
		}
		return g.Name, nil
	})
}

func lookupName(cache *sync.Map, n uint32, look func(string) (string, error)) string {
	if v, ok := cache.Load(n); ok {
		return v.(string)
	}
	name := strconv.FormatUint(uint64(n), 10)
	if s, err := look(name); err == nil {
		name = s
	}
	cache.Store(n, name)
	return name
}
