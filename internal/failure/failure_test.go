package failure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/ipcx/ipcx/internal/sig"
	"golang.org/x/sys/unix"
)

func TestExplain(t *testing.T) {
	mq := Object{Noun: "mq", What: "queue", Addr: "/jobs", Listable: true}
	fifo := Object{Noun: "fifo", What: "FIFO", Addr: "/tmp/f"}
	wrap := func(e error) error { return fmt.Errorf("mq_open(/jobs): %w", e) }
	tests := []struct {
		o         Object
		err       error
		code      int
		msg, hint string
	}{
		{mq, wrap(unix.ENOENT), NoObject, "mq /jobs: no such queue", "create it with: ipcx mq create /jobs"},
		{mq.ToRemove(), wrap(unix.ENOENT), NoObject, "mq /jobs: no such queue", "list them with: ipcx mq ls"},
		{mq, wrap(unix.EIDRM), NoObject, "mq /jobs: the queue was removed", ""},
		{mq, wrap(unix.EEXIST), Exists, "mq /jobs: already exists", "use it as it is, or remove it first with: ipcx mq rm /jobs"},
		{mq, wrap(unix.EAGAIN), WouldBlock, "mq /jobs: would block", ""},
		{mq, wrap(unix.EACCES), Failure, "mq /jobs: permission denied", "see its owner and mode with: ipcx mq ls"},
		{fifo, unix.EPERM, Failure, "fifo /tmp/f: permission denied", "see its owner and mode with: ipcx fifo stat /tmp/f"},
		{mq, context.DeadlineExceeded, Timeout, "mq /jobs: timed out", ""},
		{mq, wrap(unix.ENOSPC), Failure, "mq /jobs: a system limit on the number of queues is reached", "see the limits with: ipcx limits"},
		{Object{Noun: "shm", What: "segment", Addr: "/f"}, unix.ENOSPC, Failure, "shm /f: no space left in /dev/shm", "see what fills it with: df -h /dev/shm (df -i for inodes); ipcx shm ls"},
		{Object{Noun: "shm", What: "segment", Addr: "0x1"}, unix.ENOSPC, Failure, "shm 0x1: a system limit on the number of segments is reached", "see the limits with: ipcx limits"},
		{fifo, fmt.Errorf("open(/tmp/f): %w", unix.ENOSPC), Failure, "fifo /tmp/f: a system limit on the number of FIFOs is reached", "see the limits with: ipcx limits"},
	}
	for _, tt := range tests {
		err := tt.o.Explain(tt.err)
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%v: Explain returned %T", tt.err, err)
		}
		if e.Code != tt.code || e.Msg != tt.msg || e.Hint != tt.hint {
			t.Errorf("Explain(%v) = %d %q %q, want %d %q %q", tt.err, e.Code, e.Msg, e.Hint, tt.code, tt.msg, tt.hint)
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("Explain(%v) lost its cause", tt.err)
		}
	}
}

func TestInterrupted(t *testing.T) {
	sig.RecordInterrupt(syscall.SIGTERM)
	err := Object{Noun: "sem", What: "semaphore", Addr: "/l"}.Explain(context.Canceled)
	if Code(err) != 128+15 || err.Error() != "sem /l: interrupted by SIGTERM" {
		t.Errorf("got %d %q", Code(err), err)
	}
}

func TestPrintAndCode(t *testing.T) {
	var b bytes.Buffer
	Print(&b, UsageHint("use id:N", "bare number %d", 5))
	if got := b.String(); got != "ipcx: bare number 5\nipcx: hint: use id:N\n" {
		t.Errorf("Print = %q", got)
	}
	b.Reset()
	Print(&b, &Silent{Code: 7})
	if b.Len() != 0 || Code(&Silent{Code: 7}) != 7 || Code(nil) != 0 || Code(errors.New("x")) != 1 {
		t.Error("Silent or Code wrong")
	}
	passed := &Error{Code: 4, Msg: "m"}
	if (Object{Noun: "mq"}).Explain(passed) != error(passed) {
		t.Error("an *Error does not pass through")
	}
}
