//go:build linux

package posix

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/testns"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { testns.Main(m) }

// testName returns a queue name unique to this test run (tests may run outside a namespace).
func testName(t *testing.T) string {
	return fmt.Sprintf("/ipcx-test-%d-%s", os.Getpid(), t.Name())
}

func newTestQueue(t *testing.T, maxmsg, msgsize int64) *Queue {
	t.Helper()
	name := testName(t)
	q, err := MqOpen(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600, &MqAttr{MaxMsg: maxmsg, MsgSize: msgsize})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close(); MqUnlink(name) })
	return q
}

func TestMqPriorityOrder(t *testing.T) {
	q := newTestQueue(t, 8, 64)
	ctx := context.Background()
	for i, p := range []uint{1, 5, 1, 9} {
		if err := q.Send(ctx, []byte{byte('a' + i), 0}, p, false); err != nil {
			t.Fatal(err)
		}
	}
	a, err := q.Attr()
	if err != nil || a.CurMsgs != 4 || a.MaxMsg != 8 || a.MsgSize != 64 {
		t.Fatalf("attr %+v %v", a, err)
	}
	buf := make([]byte, q.MsgSize())
	var got []string
	for range 4 {
		n, prio, err := q.Receive(ctx, buf, true)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%c%d/%d", buf[0], prio, n))
	}
	if fmt.Sprint(got) != "[d9/2 b5/2 a1/2 c1/2]" {
		t.Errorf("order %v", got)
	}
	if _, _, err := q.Receive(ctx, buf, true); !errors.Is(err, unix.EAGAIN) {
		t.Errorf("empty nonblocking receive: %v, want EAGAIN", err)
	}
}

func TestMqFullAndTooLarge(t *testing.T) {
	q := newTestQueue(t, 1, 8)
	ctx := context.Background()
	if err := q.Send(ctx, bytes.Repeat([]byte("x"), 9), 0, true); !errors.Is(err, unix.EMSGSIZE) {
		t.Fatalf("too large: %v", err)
	}
	if err := q.Send(ctx, []byte("one"), 0, true); err != nil {
		t.Fatal(err)
	}
	if err := q.Send(ctx, []byte("two"), 0, true); !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("full: %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := q.Send(tctx, []byte("two"), 0, false); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("full with deadline: %v", err)
	}
	cctx, cancel2 := context.WithCancel(ctx)
	time.AfterFunc(30*time.Millisecond, cancel2)
	if err := q.Send(cctx, []byte("two"), 0, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("full, cancelled: %v", err)
	}
	// A blocked receiver is woken by a sender.
	buf := make([]byte, 8)
	q.Receive(ctx, buf, true)
	time.AfterFunc(30*time.Millisecond, func() { q.Send(ctx, []byte("late"), 3, false) })
	n, prio, err := q.Receive(ctx, buf, false)
	if err != nil || string(buf[:n]) != "late" || prio != 3 {
		t.Fatalf("blocked receive: %q %d %v", buf[:n], prio, err)
	}
}

func TestMqOpenErrors(t *testing.T) {
	if _, err := MqOpen("/ipcx-test-missing-"+fmt.Sprint(os.Getpid()), unix.O_RDONLY, 0, nil); !errors.Is(err, unix.ENOENT) {
		t.Errorf("missing: %v", err)
	}
	if _, err := MqOpen("/a/b", unix.O_RDONLY, 0, nil); !errors.Is(err, ErrBadName) {
		t.Errorf("bad name: %v", err)
	}
	q := newTestQueue(t, 2, 8)
	if _, err := MqOpen(q.Name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600, nil); !errors.Is(err, unix.EEXIST) {
		t.Errorf("exclusive on existing: %v", err)
	}
}

func TestMqNotify(t *testing.T) {
	q := newTestQueue(t, 4, 16)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	time.AfterFunc(50*time.Millisecond, func() { q.Send(ctx, []byte("ping"), 0, true) })
	if err := q.WaitNotify(ctx); err != nil {
		if emu := testns.Emulator(); emu != "" && errors.Is(err, unix.ENOSYS) {
			t.Skipf("%s does not implement mq_notify(2) (qemu-user's syscall table leaves it out): %v", emu, err)
		}
		t.Fatal(err)
	}
	a, _ := q.Attr()
	if a.CurMsgs != 1 {
		t.Errorf("notify consumed the message: %d on the queue", a.CurMsgs)
	}
	tctx, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	buf := make([]byte, 16)
	q.Receive(ctx, buf, true)
	if err := q.WaitNotify(tctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("notify past deadline: %v", err)
	}
}

func TestMqList(t *testing.T) {
	dir, release, err := MqueueDir()
	if err != nil {
		if os.Geteuid() != 0 && errors.Is(err, ErrNoMqueueFS) {
			t.Skip("no mqueue filesystem and not root")
		}
		t.Fatal(err)
	}
	defer release()
	q := newTestQueue(t, 4, 16)
	q.Send(context.Background(), []byte("12345"), 0, true)
	qs, err := MqList(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, info := range qs {
		if info.Name == q.Name {
			if info.Bytes != 5 || info.Mode != 0o600 || info.UID != uint32(os.Geteuid()) {
				t.Errorf("info %+v", info)
			}
			return
		}
	}
	t.Errorf("%s not listed in %v", q.Name, qs)
}

// BenchmarkMqSendReceive measures one send and one receive of a 32-byte message.
func BenchmarkMqSendReceive(b *testing.B) {
	name := fmt.Sprintf("/ipcx-bench-%d", os.Getpid())
	q, err := MqOpen(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer MqUnlink(name)
	defer q.Close()
	ctx := context.Background()
	msg, buf := bytes.Repeat([]byte("x"), 32), make([]byte, q.MsgSize())
	b.ReportAllocs()
	for b.Loop() {
		if err := q.Send(ctx, msg, 0, false); err != nil {
			b.Fatal(err)
		}
		if _, _, err := q.Receive(ctx, buf, false); err != nil {
			b.Fatal(err)
		}
	}
}
