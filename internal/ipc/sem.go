//go:build linux

package ipc

import (
	"context"
	"errors"
	"fmt"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sysv"
	"golang.org/x/sys/unix"
)

// ErrIndexPOSIX: an index was given for a POSIX semaphore, which is a single semaphore.
var ErrIndexPOSIX = errors.New("a POSIX semaphore is a single semaphore")

// IndexError is an index that names no semaphore of a System V set (or a negative one).
type IndexError struct {
	Index int
	NSems int // semaphores in the set (0 when Index < 0 and the set was not looked at)
}

func (e *IndexError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("negative semaphore index %d", e.Index)
	}
	return fmt.Sprintf("no semaphore %d in the set of %d", e.Index, e.NSems)
}

// SemOptions say how OpenSemaphore opens a semaphore.
type SemOptions struct {
	// Index is the semaphore of a System V set; IndexSet says it was asked for, which a POSIX
	// semaphore refuses (ErrIndexPOSIX).
	Index    int
	IndexSet bool
	// ReadOnly opens a POSIX semaphore to read its value, which read permission allows.
	ReadOnly bool
}

// Semaphore is an open semaphore of either flavor: a POSIX named semaphore, or one semaphore
// (Index) of a System V set.
type Semaphore struct {
	px    *posix.Sem
	id    sysv.ID
	index int
	nsems int
}

// SemValue is one semaphore's value and waiters, as sem get and sem stat report it. POSIX
// semaphores have one, with the number of registered waiters; System V sets one per semaphore
// with the waiters for an increase (ncnt), for zero (zcnt) and the last process to operate on it.
type SemValue struct {
	Index   int  `json:"index"`
	Value   int  `json:"value"`
	Waiters *int `json:"waiters,omitempty"` // POSIX
	NCnt    *int `json:"ncnt,omitempty"`    // System V
	ZCnt    *int `json:"zcnt,omitempty"`
	PID     *int `json:"pid,omitempty"`
}

// PosixSemError reads the errnos of opening a POSIX semaphore: ELOOP is ErrSymlink, EINVAL
// ErrNotSemaphore.
func PosixSemError(err error) error {
	switch {
	case errors.Is(err, unix.ELOOP):
		return wrap(err, ErrSymlink)
	case errors.Is(err, unix.EINVAL):
		return wrap(err, ErrNotSemaphore)
	}
	return err
}

// semOpError reads the errnos of changing a semaphore's value: EOVERFLOW (POSIX) and ERANGE
// (System V) are a *ValueLimitError.
func semOpError(err error) error {
	switch {
	case errors.Is(err, unix.EOVERFLOW):
		return &ValueLimitError{Name: "SEM_VALUE_MAX", Max: posix.SemValueMax, errno: unix.EOVERFLOW}
	case errors.Is(err, unix.ERANGE):
		return &ValueLimitError{Name: "SEMVMX", Max: sysv.SemVMX, errno: unix.ERANGE}
	}
	return err
}

// OpenSemaphore opens the existing semaphore a names.
func OpenSemaphore(a addr.Addr, o SemOptions) (*Semaphore, error) {
	if a.Kind == addr.POSIX {
		if o.IndexSet {
			return nil, ErrIndexPOSIX
		}
		var px *posix.Sem
		var err error
		if o.ReadOnly {
			px, err = posix.SemOpenReadOnly(a.Name)
		} else {
			px, err = posix.SemOpen(a.Name, 0, 0, 0)
		}
		if err != nil {
			return nil, PosixSemError(err)
		}
		return &Semaphore{px: px, nsems: 1}, nil
	}
	if o.Index < 0 {
		return nil, &IndexError{Index: o.Index}
	}
	id, err := SysVID(a, KindSemaphore, IDOptions{})
	if err != nil {
		return nil, err
	}
	ds, err := sysv.SemStat(id)
	if err != nil {
		return nil, err
	}
	if uint64(o.Index) >= ds.Nsems {
		return nil, &IndexError{Index: o.Index, NSems: int(ds.Nsems)}
	}
	return &Semaphore{id: id, index: o.Index, nsems: int(ds.Nsems)}, nil
}

// IsSet says whether the semaphore is one of a System V set (which has NSems semaphores).
func (s *Semaphore) IsSet() bool { return s.px == nil }

// Index is the semaphore's index in its System V set (0 for POSIX).
func (s *Semaphore) Index() int { return s.index }

// NSems is the number of semaphores: 1 for POSIX, the set's size for System V.
func (s *Semaphore) NSems() int { return s.nsems }

// ValueMax is the largest value the semaphore holds and its name: SEM_VALUE_MAX or SEMVMX.
func (s *Semaphore) ValueMax() (string, int) {
	if s.px != nil {
		return "SEM_VALUE_MAX", posix.SemValueMax
	}
	return "SEMVMX", sysv.SemVMX
}

// Take waits for and takes one unit (sem_wait(3), semop(2) with -1), as long as ctx allows
// (its deadline: ETIMEDOUT or context.DeadlineExceeded); nonblock does not wait (EAGAIN). undo
// (System V) makes the kernel give the unit back when the process exits without Release.
func (s *Semaphore) Take(ctx context.Context, nonblock, undo bool) error {
	if s.px != nil {
		if nonblock {
			return s.px.TryWait()
		}
		return s.px.Wait(ctx)
	}
	op := sysv.Sembuf{Num: uint16(s.index), Op: -1}
	if nonblock {
		op.Flg |= sysv.NoWait
	}
	if undo {
		op.Flg |= sysv.SemUndo
	}
	return semOpError(sysv.SemOp(ctx, s.id, []sysv.Sembuf{op}))
}

// Release gives back the unit Take took with undo (System V: with SEM_UNDO, cancelling the
// adjustment). A set removed meanwhile is ErrRemoved.
func (s *Semaphore) Release() error {
	if s.px != nil {
		return semOpError(s.px.Post(1))
	}
	op := sysv.Sembuf{Num: uint16(s.index), Op: 1, Flg: sysv.SemUndo}
	return sysvGone(semOpError(sysv.SemOp(context.Background(), s.id, []sysv.Sembuf{op})))
}

// Post adds n to the value, waking waiters (sem_post(3), semop(2) with +n). A value that would
// pass the limit changes nothing: *ValueLimitError.
func (s *Semaphore) Post(n int) error {
	if s.px != nil {
		return semOpError(s.px.Post(n))
	}
	op := sysv.Sembuf{Num: uint16(s.index), Op: int16(n)}
	return semOpError(sysv.SemOp(context.Background(), s.id, []sysv.Sembuf{op}))
}

// Op does ops on the System V set as one semop(2), as long as ctx allows. An op's index past the
// set is an *IndexError, checked before anything is done.
// nonblock adds IPC_NOWAIT to each (EAGAIN instead of waiting), undo SEM_UNDO.
func (s *Semaphore) Op(ctx context.Context, ops []sysv.Sembuf, nonblock, undo bool) error {
	if s.px != nil {
		return fmt.Errorf("semop: not a System V set: %w", unix.EINVAL)
	}
	ops = append([]sysv.Sembuf(nil), ops...)
	for i, op := range ops {
		if int(op.Num) >= s.nsems {
			return &IndexError{Index: int(op.Num), NSems: s.nsems}
		}
		if nonblock {
			ops[i].Flg |= sysv.NoWait
		}
		if undo {
			ops[i].Flg |= sysv.SemUndo
		}
	}
	return semOpError(opsLimit(len(ops), sysv.SemOp(ctx, s.id, ops)))
}

// Set sets the values of the System V set: one value the semaphore Index (SETVAL), one per
// semaphore the whole set (SETALL).
func (s *Semaphore) Set(vals []uint16, all bool) error {
	if s.px != nil {
		return fmt.Errorf("semctl: not a System V set: %w", unix.EINVAL)
	}
	if all {
		return semOpError(sysv.SemSetAll(s.id, vals))
	}
	return semOpError(sysv.SemSetVal(s.id, s.index, int(vals[0])))
}

// Values returns the semaphore's value(s): one for POSIX, every semaphore of a System V set.
func (s *Semaphore) Values() ([]SemValue, error) {
	if s.px != nil {
		w := s.px.Waiters()
		return []SemValue{{Index: 0, Value: s.px.Value(), Waiters: &w}}, nil
	}
	return SysVSemValues(s.id)
}

// SysVSemValues returns the values of every semaphore of System V set id, with their waiters and
// last pid (GETALL, GETNCNT, GETZCNT, GETPID: sysv.SemStates).
func SysVSemValues(id sysv.ID) ([]SemValue, error) {
	st, err := sysv.SemStates(id)
	if err != nil {
		return nil, err
	}
	out := make([]SemValue, len(st))
	for i, s := range st {
		out[i] = SemValue{Index: s.Num, Value: s.Value, NCnt: &s.Ncnt, ZCnt: &s.Zcnt, PID: &s.Pid}
	}
	return out, nil
}

// Close releases a POSIX semaphore's mapping.
func (s *Semaphore) Close() error {
	if s.px != nil {
		return s.px.Close()
	}
	return nil
}

// SemInfo is what CreateSemaphore made or found.
type SemInfo struct {
	Made
	NSems  int
	Values []int
}

// SemCreateOptions say how CreateSemaphore makes a semaphore.
type SemCreateOptions struct {
	Exclusive bool   // fail with EEXIST when it exists
	Mode      uint32 // permission bits, set exactly
	Value     int    // initial value of each new semaphore
	NSems     int    // System V: semaphores in a new set
}

// CreateSemaphore creates the semaphore a names, or finds the existing one (EEXIST with
// o.Exclusive) and reports it unchanged. A System V set the system refuses for its size is
// ErrNSemsRefused.
func CreateSemaphore(a addr.Addr, o SemCreateOptions) (SemInfo, error) {
	if a.Kind == addr.POSIX {
		created := true
		px, err := posix.SemOpen(a.Name, unix.O_CREAT|unix.O_EXCL, o.Mode, uint(o.Value))
		if errors.Is(err, unix.EEXIST) && !o.Exclusive {
			created = false
			px, err = posix.SemOpen(a.Name, 0, 0, 0)
		}
		if err != nil {
			return SemInfo{}, PosixSemError(err)
		}
		defer px.Close()
		info, err := posix.SemStat(a.Name)
		if err != nil {
			return SemInfo{}, err
		}
		return SemInfo{Made: Made{Flavor: "posix", Name: a.Name, Mode: info.Mode, Created: created}, NSems: 1,
			Values: []int{px.Value()}}, nil
	}
	id, created, err := sysvCreate(a, KindSemaphore, IDOptions{Exclusive: o.Exclusive, Mode: o.Mode, NSems: o.NSems})
	if errors.Is(err, unix.EINVAL) {
		return SemInfo{}, &RefusedError{NSems: o.NSems, Err: wrap(err, ErrNSemsRefused)}
	}
	if err != nil {
		return SemInfo{}, err
	}
	if created && o.Value > 0 {
		vals := make([]uint16, o.NSems)
		for i := range vals {
			vals[i] = uint16(o.Value)
		}
		if err := sysv.SemSetAll(id, vals); err != nil {
			sysv.SemRemove(id)
			return SemInfo{}, err
		}
	}
	info, err := sysv.SemSetOf(id)
	if err != nil {
		return SemInfo{}, err
	}
	vals, err := sysv.SemGetAll(id)
	if err != nil {
		return SemInfo{}, err
	}
	ints := make([]int, len(vals))
	for i, v := range vals {
		ints[i] = int(v)
	}
	return SemInfo{Made: Made{Flavor: "sysv", Key: info.Key, ID: id, Mode: info.Mode, Created: created},
		NSems: info.NSems, Values: ints}, nil
}

// RemoveSemaphore removes the semaphore a names: sem_unlink(3), or semctl(2) IPC_RMID.
func RemoveSemaphore(a addr.Addr) error {
	if a.Kind == addr.POSIX {
		return posix.SemUnlink(a.Name)
	}
	id, err := SysVID(a, KindSemaphore, IDOptions{})
	if err != nil {
		return err
	}
	return sysv.SemRemove(id)
}
