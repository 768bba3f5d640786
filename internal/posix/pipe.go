//go:build linux

package posix

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// PipeLimits are the system's pipe sizes and limits. See pipe(7).
type PipeLimits struct {
	PipeBuf         int   // bytes a write is atomic up to (PIPE_BUF)
	DefaultCapacity int   // the capacity of a new pipe
	MaxSize         int   // /proc/sys/fs/pipe-max-size: the most F_SETPIPE_SZ gives an unprivileged process
	UserPagesHard   int64 // /proc/sys/fs/pipe-user-pages-hard: pages a user's pipes may hold (0 = no limit)
	UserPagesSoft   int64 // /proc/sys/fs/pipe-user-pages-soft: above it, new pipes get one page
	PageSize        int
}

// PipeInfo reads the pipe limits; DefaultCapacity is measured on a new pipe.
func PipeInfo() (PipeLimits, error) {
	l := PipeLimits{PipeBuf: PipeBuf, PageSize: os.Getpagesize(), DefaultCapacity: DefaultPipeCapacity()}
	var err error
	if l.MaxSize, err = readProcInt("/proc/sys/fs/pipe-max-size"); err != nil {
		return l, err
	}
	hard, err := readProcInt("/proc/sys/fs/pipe-user-pages-hard")
	if err != nil {
		return l, err
	}
	soft, err := readProcInt("/proc/sys/fs/pipe-user-pages-soft")
	if err != nil {
		return l, err
	}
	l.UserPagesHard, l.UserPagesSoft = int64(hard), int64(soft)
	return l, nil
}

// DefaultPipeCapacity is the capacity of a newly made pipe (16 pages unless the user's pipes
// are over pipe-user-pages-soft), measured with F_GETPIPE_SZ; -1 if no pipe could be made.
func DefaultPipeCapacity() int {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return -1
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	n, err := unix.FcntlInt(uintptr(p[0]), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		return -1
	}
	return n
}

func readProcInt(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// ErrPipeSize is wrapped by the error for a capacity above pipe-max-size.
var ErrPipeSize = errors.New("pipe size above /proc/sys/fs/pipe-max-size")

// CheckPipeSize refuses a pipe capacity above /proc/sys/fs/pipe-max-size with ErrPipeSize.
func CheckPipeSize(size int64) error {
	max, err := readProcInt("/proc/sys/fs/pipe-max-size")
	if err != nil {
		return err
	}
	if size > 1<<31 && size > int64(max) {
		return fmt.Errorf("%w: %d > %d, and no pipe holds more than 2G (2147483648)", ErrPipeSize, size, max)
	}
	if size > int64(max) {
		return fmt.Errorf("%w: %d > %d (raise it with: sysctl fs.pipe-max-size=%d)", ErrPipeSize, size, max, size)
	}
	return nil
}

// SetPipeSize sets the capacity of the pipe fd to at least size bytes (the kernel rounds up to a
// power-of-two number of pages) and returns the capacity it got. A size above
// /proc/sys/fs/pipe-max-size is refused with ErrPipeSize, even for root, whom the kernel would
// let exceed it. See fcntl(2) F_SETPIPE_SZ.
func SetPipeSize(fd int, size int) (int, error) {
	if err := CheckPipeSize(int64(size)); err != nil {
		return 0, err
	}
	if size <= 0 {
		return 0, fmt.Errorf("pipe size %d: %w", size, unix.EINVAL)
	}
	n, err := unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, size)
	if err != nil {
		return 0, fmt.Errorf("fcntl(F_SETPIPE_SZ, %d): %w", size, err)
	}
	return n, nil
}

// Pipeline is a list of commands joined by pipes, as a shell's `a | b | c`.
type Pipeline struct {
	Stages [][]string // each an argv
	// Size, when not 0, is the capacity given to every pipe (SetPipeSize).
	Size int
	// Counts, when not nil, has a counter for every two stages (len(Stages)-1): a splice(2) relay
	// is put between stage i and i+1, and adds the bytes it moves to Counts[i] (for a progress
	// display, internal/progress).
	Counts []*atomic.Int64
	// Stdin, Stdout and Stderr are given to the first stage, the last and all.
	Stdin, Stdout, Stderr *os.File
	// Env is the environment of every stage; nil means this process's.
	Env []string
}

// Status is how a stage ended: its exit code or, when Signal is not 0, the signal that killed it
// (the shell's status is then 128+Signal).
type Status struct {
	Argv   []string
	Code   int
	Signal syscall.Signal
}

// Shell returns the status as the shell reports it: the exit code, or 128+N for signal N.
func (s Status) Shell() int {
	if s.Signal != 0 {
		return 128 + int(s.Signal)
	}
	return s.Code
}

// PipefailStatus is the status of a pipeline under `set -o pipefail`: that of the last stage that
// did not exit 0, or 0 when all did.
func PipefailStatus(st []Status) int {
	code := 0
	for _, s := range st {
		if c := s.Shell(); c != 0 {
			code = c
		}
	}
	return code
}

// Run starts every stage, each with its stdin the read end of a pipe(2) whose write end is the
// previous stage's stdout, waits for all of them and returns their statuses. When ctx ends the
// stages are killed (SIGKILL). An error means a stage could not be started: the ones already
// started are killed and waited for.
func (p *Pipeline) Run(ctx context.Context) ([]Status, error) {
	n := len(p.Stages)
	if n == 0 {
		return nil, fmt.Errorf("pipeline: no command: %w", unix.EINVAL)
	}
	if p.Counts != nil && len(p.Counts) != n-1 {
		return nil, fmt.Errorf("pipeline: %d counters for %d pipes: %w", len(p.Counts), n-1, unix.EINVAL)
	}
	// Every command is found before any is started: a pipeline that cannot run whole does not
	// run at all, and no earlier command acts on input that will never be consumed.
	cmds := make([]*exec.Cmd, n)
	for i, argv := range p.Stages {
		if len(argv) == 0 {
			return nil, fmt.Errorf("pipeline: stage %d is empty: %w", i+1, unix.EINVAL)
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		if cmd.Err != nil {
			return nil, &StartError{Command: argv[0], Err: cmd.Err}
		}
		if err := checkExecutable(cmd.Path); err != nil {
			return nil, &StartError{Command: argv[0], Err: err}
		}
		cmds[i] = cmd
	}
	var toClose []*os.File
	closeAll := func() {
		for _, f := range toClose {
			f.Close()
		}
		toClose = nil
	}
	defer closeAll()

	newPipe := func() (r, w *os.File, err error) {
		var fds [2]int
		if err := unix.Pipe2(fds[:], unix.O_CLOEXEC); err != nil {
			return nil, nil, fmt.Errorf("pipe: %w", err)
		}
		r, w = os.NewFile(uintptr(fds[0]), "|0"), os.NewFile(uintptr(fds[1]), "|1")
		toClose = append(toClose, r, w)
		if p.Size > 0 {
			if _, err := SetPipeSize(fds[1], p.Size); err != nil {
				return nil, nil, err
			}
		} else if p.Counts != nil {
			// 1 MiB pipes let the relay move the stream in batches of half a MiB (see
			// SpliceRelay). Best effort: the default pipe-max-size allows it, a per-user pipe
			// limit may not, and then the relay moves what each write brings.
			unix.FcntlInt(uintptr(fds[1]), unix.F_SETPIPE_SZ, relayPipeSize)
		}
		return r, w, nil
	}

	// stdin[i] and stdout[i] of stage i; relays between stage i and i+1 when Counts is set
	stdin := make([]*os.File, n)
	stdout := make([]*os.File, n)
	stdin[0], stdout[n-1] = p.Stdin, p.Stdout
	type relay struct{ from, to *os.File }
	var relays []relay
	for i := 0; i+1 < n; i++ {
		r, w, err := newPipe()
		if err != nil {
			return nil, err
		}
		if p.Counts == nil {
			stdout[i], stdin[i+1] = w, r
			continue
		}
		r2, w2, err := newPipe()
		if err != nil {
			return nil, err
		}
		stdout[i], stdin[i+1] = w, r2
		relays = append(relays, relay{from: r, to: w2})
	}

	for i, argv := range p.Stages {
		cmd := cmds[i]
		cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin[i], stdout[i], p.Stderr
		cmd.Env = p.Env
		if err := cmd.Start(); err != nil {
			// Still possible (a file execve(2) refuses with ENOEXEC, a race): stop the others.
			for _, c := range cmds[:i] {
				c.Process.Kill()
				c.Wait()
			}
			return nil, &StartError{Command: argv[0], Err: err}
		}
	}
	// Only the children (and relays) may hold the pipe ends now, or no reader would see EOF
	// and no writer EPIPE.
	keep := map[*os.File]bool{}
	for _, r := range relays {
		keep[r.from], keep[r.to] = true, true
	}
	for _, f := range toClose {
		if !keep[f] {
			f.Close()
		}
	}
	toClose = nil

	var wg sync.WaitGroup
	for i, r := range relays {
		wg.Add(1)
		go func() {
			defer wg.Done()
			SpliceRelay(r.to, r.from, p.Counts[i])
			r.from.Close()
			r.to.Close()
		}()
	}
	stop := context.AfterFunc(ctx, func() {
		for _, c := range cmds {
			c.Process.Kill()
		}
	})
	defer stop()

	st := make([]Status, n)
	for i, c := range cmds {
		st[i] = Status{Argv: p.Stages[i]}
		err := c.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				st[i].Signal = ws.Signal()
			} else {
				st[i].Code = ee.ExitCode()
			}
		} else if err != nil {
			st[i].Code = 127
		}
	}
	wg.Wait()
	return st, nil
}

// relayPipeSize is the capacity asked for the pipes around a --progress relay.
const relayPipeSize = 1 << 20

// SpliceRelay moves everything from the pipe from to the pipe to with splice(2), adding the bytes
// to count as they go, until from reaches EOF or to has no reader left (then from is left for
// the caller to close, which gives its writer EPIPE as a direct pipe would). Both must be
// blocking pipe ends that this goroutine may block on.
func SpliceRelay(to, from *os.File, count *atomic.Int64) error {
	return spliceRelay(to, from, count, nil)
}

// relayStats counts what a relay did, for tests.
type relayStats struct {
	splices, sleeps int
}

// spliceRelay is SpliceRelay, counting its splices and sleeps in st when st is not nil.
//
// A relay that splices as soon as anything arrives is woken by every write of the stage before
// it (4-8 KiB for most programs), and on two busy cores those wake-ups cost a fast stream more
// than the relay's own work. When both pipes hold at least twice relayMinBatch, this relay moves
// batches instead: after each splice it sleeps for the time half the smaller pipe takes to fill
// at the rate it has just seen, never longer than relayMaxDelay. A fast writer then finds room and
// wakes nobody, the reader gets half a pipe at a time, and a slow stream is held back at most
// relayMaxDelay. On two busy cores this took the relay's cost to a 4 GiB stream from 60% to about
// 10% (scripts/bench streams); what is left is the pages it moves, which the writer cannot reuse.
//
// The splice that moves data does not wait (SPLICE_F_NONBLOCK): only when there is nothing to
// move (an idle writer, a full reader) does the relay block in splice(2), however long that
// takes.
func spliceRelay(to, from *os.File, count *atomic.Int64, st *relayStats) error {
	rfd, wfd := int(from.Fd()), int(to.Fd())
	batch := 0
	in, errIn := unix.FcntlInt(uintptr(rfd), unix.F_GETPIPE_SZ, 0)
	out, errOut := unix.FcntlInt(uintptr(wfd), unix.F_GETPIPE_SZ, 0)
	if errIn == nil && errOut == nil && min(in, out)/2 >= relayMinBatch {
		batch = min(in, out) / 2
	}
	last := time.Now()
	for {
		n, err := unix.Splice(rfd, nil, wfd, nil, relayMaxSplice, unix.SPLICE_F_NONBLOCK)
		if err == unix.EAGAIN {
			n, err = unix.Splice(rfd, nil, wfd, nil, relayMaxSplice, 0)
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("splice: %w", err)
		}
		if n == 0 {
			return nil
		}
		count.Add(n)
		if st != nil {
			st.splices++
		}
		now := time.Now()
		if batch > 0 {
			// batch bytes at the rate of the last round: n bytes since last
			wait := min(time.Duration(float64(now.Sub(last))*float64(batch)/float64(n)), relayMaxDelay)
			if wait >= relayMinDelay {
				if st != nil {
					st.sleeps++
				}
				ts := unix.NsecToTimespec(int64(wait))
				for unix.Nanosleep(&ts, &ts) == unix.EINTR {
				}
			}
		}
		last = now
	}
}

const (
	relayMinBatch  = 128 << 10             // smaller pipes fill faster than a sleep can be timed
	relayMinDelay  = 10 * time.Microsecond // shorter sleeps are not worth a system call
	relayMaxDelay  = time.Millisecond      // the longest a relay holds back what has arrived
	relayMaxSplice = 1 << 30               // more than any pipe holds
)

// checkExecutable refuses what execve(2) would refuse for its permissions or file type: a
// directory or a file without execute permission (EACCES), a missing file (ENOENT).
func checkExecutable(path string) error {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return unix.EACCES
	}
	return unix.Access(path, unix.X_OK)
}

// StartError is a pipeline stage that could not be started (not found, not executable).
type StartError struct {
	Command string
	Err     error
}

func (e *StartError) Error() string { return fmt.Sprintf("start %s: %v", e.Command, e.Err) }
func (e *StartError) Unwrap() error { return e.Err }
