//go:build linux

package posix

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// sigevent is struct sigevent as mq_notify(3) takes it (64 bytes).
type sigevent struct {
	Value  uintptr // sigev_value: for SIGEV_THREAD, the cookie's address
	Signo  int32   // for SIGEV_THREAD, the netlink socket
	Notify int32
	_      [48]byte
}

const (
	sigevThread   = 2
	notifyCookie  = 32 // NOTIFY_COOKIE_LEN
	notifyWokenUp = 1
	notifyRemoved = 2
)

// ErrNotifyRemoved is returned by WaitNotify when the registration ended without a message: the
// queue was closed or another process replaced the registration.
var ErrNotifyRemoved = errors.New("notification removed")

// WaitNotify registers with mq_notify(3) and waits until a message arrives on the empty queue,
// without taking it. It uses the kernel's netlink delivery (what glibc's SIGEV_THREAD uses), so no
// signal is involved. The kernel notifies only for a message that arrives on an empty queue while
// no process is blocked receiving; a queue that already holds messages does not notify until it
// has been emptied. Another registrant gives EBUSY. ctx ends the wait.
func (q *Queue) WaitNotify(ctx context.Context) error {
	s, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("mq_notify(%s): netlink socket: %w", q.Name, err)
	}
	nl := os.NewFile(uintptr(s), "mq_notify")
	defer nl.Close()
	cookie := make([]byte, notifyCookie)
	ev := sigevent{Value: uintptr(unsafe.Pointer(&cookie[0])), Signo: int32(s), Notify: sigevThread}
	if _, _, e := unix.Syscall(unix.SYS_MQ_NOTIFY, q.f.Fd(), uintptr(unsafe.Pointer(&ev)), 0); e != 0 {
		return fmt.Errorf("mq_notify(%s): %w", q.Name, e)
	}
	registered := true
	defer func() {
		if registered {
			unix.Syscall(unix.SYS_MQ_NOTIFY, q.f.Fd(), 0, 0) // unregister
		}
	}()
	if d, ok := ctx.Deadline(); ok {
		nl.SetReadDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { nl.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, notifyCookie)
	for {
		n, err := nl.Read(buf)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			if os.IsTimeout(err) {
				return context.DeadlineExceeded
			}
			return fmt.Errorf("mq_notify(%s): %w", q.Name, err)
		}
		if n != notifyCookie {
			continue
		}
		registered = false // a notification ends the registration
		switch buf[notifyCookie-1] {
		case notifyWokenUp:
			return nil
		case notifyRemoved:
			return ErrNotifyRemoved
		}
	}
}
