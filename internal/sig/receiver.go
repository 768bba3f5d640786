package sig

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/ipcx/ipcx/internal/iostreams"
)

// ErrInterrupted is returned by Receiver.Next when one of the Interrupts the Receiver does not
// trap has come: the caller ends cleanly, with 128+Interrupted() as its exit status.
var ErrInterrupted = errors.New("interrupted")

// PidfileError is the failure to write a Receiver's pidfile.
type PidfileError struct {
	Path string
	Err  error
}

func (e *PidfileError) Error() string { return fmt.Sprintf("write pidfile %s: %v", e.Path, e.Err) }

func (e *PidfileError) Unwrap() error { return e.Err }

// ReceiverOptions are the options of NewReceiver.
type ReceiverOptions struct {
	// Pidfile, when set, receives this process's pid once the signals are being caught; Close
	// removes it.
	Pidfile string
}

// Receiver is a Trap made ready for a command that waits for signals: the signals blocked for
// good (Prepare), those of the Interrupts it does not trap caught so that they end it cleanly,
// and the pidfile written, in that order.
type Receiver struct {
	*Trap
	interrupted <-chan struct{}
	stop        context.CancelFunc
	pidfile     string
}

// NewReceiver prepares and opens a Trap of set (re-executing this binary the first time, see
// Prepare). Those of HUP, INT, QUIT and TERM that set does not trap end it cleanly (Next returns
// ErrInterrupted; the signal is remembered for Interrupted). They are caught before the pidfile
// says the process is ready: started in the background by a shell script, a program has INT and
// QUIT ignored until it asks for them, and an INT sent in between would be lost. A failure to
// write the pidfile is a *PidfileError.
func NewReceiver(set Set, opt ReceiverOptions) (*Receiver, error) {
	if err := Prepare(set); err != nil {
		return nil, err
	}
	t, err := OpenTrap(set)
	if err != nil {
		return nil, err
	}
	r := &Receiver{Trap: t}
	var sigs []os.Signal
	for _, s := range Interrupts {
		if !set.Has(Signal(s.(syscall.Signal))) {
			sigs = append(sigs, s)
		}
	}
	if len(sigs) > 0 {
		ctx, stop := NotifyContext(context.Background(), sigs...)
		r.interrupted, r.stop = ctx.Done(), stop
		go func() { <-ctx.Done(); t.Close() }()
	}
	if opt.Pidfile != "" {
		if err := writePidfile(opt.Pidfile); err != nil {
			r.Close()
			return nil, &PidfileError{Path: opt.Pidfile, Err: err}
		}
		r.pidfile = opt.Pidfile
	}
	return r, nil
}

// Next returns the next signal as Trap.Next does, or ErrInterrupted once an untrapped interrupt
// came and every signal received before it has been returned.
func (r *Receiver) Next(timeout time.Duration) (Received, error) {
	got, err := r.Trap.Next(timeout)
	if err == nil {
		// Received before the interrupt, or handed over as the trap closed: never dropped.
		return got, nil
	}
	select {
	case <-r.interrupted:
		return Received{}, ErrInterrupted
	default:
	}
	return got, err
}

// Close removes the pidfile, restores the interrupts' dispositions and closes the trap (and the
// trace instance it may have made).
func (r *Receiver) Close() error {
	if r.pidfile != "" {
		os.Remove(r.pidfile)
	}
	if r.stop != nil {
		r.stop()
	}
	return r.Trap.Close()
}

// writePidfile writes the pid to a temporary file renamed into place, so a reader never sees it
// half written.
func writePidfile(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ipcx-pid-*")
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(tmp, "%d\n", os.Getpid()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	tmp.Close()
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// PipeSafeOutput returns w, or when w is the process's standard output a duplicate of it: the Go
// runtime kills a program whose write to fd 1 fails with EPIPE (unless SIGPIPE is notified, which
// would steal a trapped PIPE from the signalfd), while a write to the duplicate just fails with
// EPIPE, so the program can clean up (pidfile, trace instance) and exit 141. Calling done closes
// the duplicate.
func PipeSafeOutput(w io.Writer) (out io.Writer, done func()) {
	f, ok := w.(*os.File)
	if !ok || f != os.Stdout {
		return w, func() {}
	}
	dup, err := iostreams.Dup(f)
	if err != nil {
		return w, func() {}
	}
	return dup, func() { dup.Close() }
}

// ExecEnv returns the environment a command run for r gets: IPCX_SIGNAL (the name),
// IPCX_SIGNAL_NUMBER, IPCX_SENDER_PID, IPCX_SENDER_UID, IPCX_CODE and IPCX_VALUE, empty when
// unknown.
func (r Received) ExecEnv() []string {
	var pid, uid, value string
	if r.Sender == SenderProcess {
		pid = strconv.Itoa(r.Pid)
		if r.Uid >= 0 {
			uid = strconv.Itoa(r.Uid)
		}
	}
	if r.HasValue {
		value = strconv.Itoa(int(r.Value))
	}
	return []string{"IPCX_SIGNAL=" + r.Signal.String(), "IPCX_SIGNAL_NUMBER=" + strconv.Itoa(int(r.Signal)),
		"IPCX_SENDER_PID=" + pid, "IPCX_SENDER_UID=" + uid, "IPCX_CODE=" + r.CodeName(), "IPCX_VALUE=" + value}
}
