package ipc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/msgio"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/ipcx/ipcx/internal/testns"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { testns.Main(m) }

func mustParse(t *testing.T, s string) addr.Addr {
	t.Helper()
	a, err := addr.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// posixName is a POSIX name unique to this test process.
func posixName(t *testing.T, what string) addr.Addr {
	return mustParse(t, fmt.Sprintf("/ipcx-ipc-%s-%d", what, os.Getpid()))
}

func TestSysVID(t *testing.T) {
	priv := mustParse(t, "private")
	if _, err := SysVID(priv, KindQueue, IDOptions{}); !errors.Is(err, ErrPrivateNoObject) {
		t.Errorf("private without create: %v, want ErrPrivateNoObject", err)
	}
	for _, k := range []Kind{KindQueue, KindSemaphore, KindSegment} {
		id, err := SysVID(priv, k, IDOptions{Create: true, Mode: 0o600, NSems: 1, Size: 4096})
		if err != nil {
			t.Fatalf("kind %s: create private: %v", k, err)
		}
		t.Cleanup(func() { removeID(k, id) })
		byID := mustParse(t, fmt.Sprintf("id:%d", id))
		if got, err := SysVID(byID, k, IDOptions{}); err != nil || got != id {
			t.Errorf("kind %s: id:%d gives %d, %v", k, id, got, err)
		}
		if _, err := SysVID(byID, k, IDOptions{Create: true}); !errors.Is(err, ErrCreateByID) {
			t.Errorf("kind %s: create by id: %v, want ErrCreateByID", k, err)
		}
	}
	// An id that names nothing is ENOENT, whatever errno IPC_STAT gives.
	if _, err := SysVID(mustParse(t, "id:2147483000"), KindQueue, IDOptions{}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("missing id: %v, want ENOENT", err)
	}
	var ke *KeyError
	_, err := SysVID(mustParse(t, "ftok:"+filepath.Join(t.TempDir(), "missing")+":1"), KindSegment, IDOptions{})
	if !errors.As(err, &ke) || !errors.Is(err, unix.ENOENT) {
		t.Errorf("ftok of a missing file: %v, want a *KeyError wrapping ENOENT", err)
	}
}

func removeID(k Kind, id sysv.ID) {
	switch k {
	case KindQueue:
		sysv.MsgRemove(id)
	case KindSemaphore:
		sysv.SemRemove(id)
	default:
		sysv.ShmRemove(id)
	}
}

// queueAddrs creates a POSIX and a System V queue for the test, removed at its end.
func queueAddrs(t *testing.T) []addr.Addr {
	px := posixName(t, "q")
	if _, err := CreateQueue(px, QueueOptions{Mode: 0o600, Exclusive: true, MaxMsg: 4, MsgSize: 64}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { RemoveQueue(px) })
	info, err := CreateQueue(mustParse(t, "private"), QueueOptions{Mode: 0o600})
	if err != nil {
		t.Fatal(err)
	}
	sv := mustParse(t, fmt.Sprintf("id:%d", info.ID))
	t.Cleanup(func() { RemoveQueue(sv) })
	return []addr.Addr{px, sv}
}

func TestQueueBothFlavors(t *testing.T) {
	ctx := context.Background()
	for _, a := range queueAddrs(t) {
		q, err := OpenQueue(a, QueueOptions{Receive: true, PutBack: true})
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		defer q.Close()
		buf := make([]byte, q.MaxRecv())
		if _, err := q.Recv(ctx, buf, 0); !errors.Is(err, ErrWouldBlock) || !errors.Is(err, unix.EAGAIN) {
			t.Errorf("%s: empty queue: %v, want ErrWouldBlock (EAGAIN)", a, err)
		}
		if err := q.Send(ctx, msgio.Message{Data: []byte("hello"), Prio: 3, Type: 7}, true); err != nil {
			t.Fatalf("%s: send: %v", a, err)
		}
		if n := q.Queued(); n != 1 {
			t.Errorf("%s: Queued = %d, want 1", a, n)
		}
		m, err := q.Recv(ctx, buf, 0)
		if err != nil || string(m.Data) != "hello" || (a.IsSysV() && m.Type != 7) || (!a.IsSysV() && m.Prio != 3) {
			t.Errorf("%s: recv %+v, %v", a, m, err)
		}
		var tl *TooLargeError
		if err := q.Send(ctx, msgio.Message{Data: make([]byte, q.MaxMsg()+1), Type: 1}, true); !errors.As(err, &tl) || !errors.Is(err, unix.EMSGSIZE) || tl.Max != q.MaxMsg() {
			t.Errorf("%s: too large: %v, want a *TooLargeError (EMSGSIZE)", a, err)
		}
	}
}

func TestQueueRemovedIsErrRemoved(t *testing.T) {
	info, err := CreateQueue(mustParse(t, "private"), QueueOptions{Mode: 0o600})
	if err != nil {
		t.Fatal(err)
	}
	a := mustParse(t, fmt.Sprintf("id:%d", info.ID))
	q, err := OpenQueue(a, QueueOptions{Send: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := RemoveQueue(a); err != nil {
		t.Fatal(err)
	}
	// msgsnd on the id now gives EINVAL: read as removal.
	err = q.Send(context.Background(), msgio.Message{Data: []byte("x"), Type: 1}, true)
	if !errors.Is(err, ErrRemoved) || !errors.Is(err, unix.EIDRM) {
		t.Errorf("send after removal: %v, want ErrRemoved (EIDRM)", err)
	}
	if _, err := OpenQueue(a, QueueOptions{Send: true}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("open after removal: %v, want ENOENT", err)
	}
}

func TestCreateQueueExisting(t *testing.T) {
	px := posixName(t, "cq")
	info, err := CreateQueue(px, QueueOptions{Mode: 0o640})
	if err != nil || !info.Created || info.Mode&0o777 != 0o640 {
		t.Fatalf("create: %+v, %v", info, err)
	}
	t.Cleanup(func() { RemoveQueue(px) })
	if info, err := CreateQueue(px, QueueOptions{Mode: 0o600}); err != nil || info.Created || info.Mode&0o777 != 0o640 {
		t.Errorf("create again: %+v, %v; want the existing queue unchanged", info, err)
	}
	if _, err := CreateQueue(px, QueueOptions{Exclusive: true}); !errors.Is(err, unix.EEXIST) {
		t.Errorf("exclusive: %v, want EEXIST", err)
	}
}

func TestReceiveTo(t *testing.T) {
	ctx := context.Background()
	for _, a := range queueAddrs(t) {
		q, err := OpenQueue(a, QueueOptions{Receive: true, PutBack: true})
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		for _, s := range []string{"a", "b"} {
			if err := q.Send(ctx, msgio.Message{Data: []byte(s), Type: 1}, true); err != nil {
				t.Fatal(err)
			}
		}
		var out bytes.Buffer
		encode := func(dst []byte, m msgio.Message) []byte { return append(append(dst, m.Data...), '\n') }
		sink := msgio.NewWriterSink(&out, encode, q.PutBack)
		n, err := q.ReceiveTo(ctx, sink, ReceiveOptions{Count: 3, NonBlock: true})
		var re *RecvError
		if n != 2 || out.String() != "a\nb\n" || !errors.As(err, &re) || !errors.Is(err, ErrWouldBlock) {
			t.Errorf("%s: received %d %q, %v; want 2 messages, then a *RecvError (would block)", a, n, out.String(), err)
		}
	}
}

func TestSemaphoreBothFlavors(t *testing.T) {
	px := posixName(t, "s")
	if _, err := CreateSemaphore(px, SemCreateOptions{Mode: 0o600, Value: 1}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { RemoveSemaphore(px) })
	info, err := CreateSemaphore(mustParse(t, "private"), SemCreateOptions{Mode: 0o600, Value: 1, NSems: 2})
	if err != nil || info.NSems != 2 || len(info.Values) != 2 || info.Values[1] != 1 {
		t.Fatalf("create set: %+v, %v", info, err)
	}
	sv := mustParse(t, fmt.Sprintf("id:%d", info.ID))
	t.Cleanup(func() { RemoveSemaphore(sv) })

	ctx := context.Background()
	for _, a := range []addr.Addr{px, sv} {
		s, err := OpenSemaphore(a, SemOptions{})
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		defer s.Close()
		if err := s.Take(ctx, true, true); err != nil {
			t.Errorf("%s: take: %v", a, err)
		}
		if err := s.Take(ctx, true, false); !errors.Is(err, unix.EAGAIN) {
			t.Errorf("%s: take at 0: %v, want EAGAIN", a, err)
		}
		dctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		err = s.Take(dctx, false, false)
		cancel()
		if !errors.Is(err, unix.ETIMEDOUT) && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: take with a deadline: %v, want a timeout", a, err)
		}
		if err := s.Release(); err != nil {
			t.Errorf("%s: release: %v", a, err)
		}
		if err := s.Post(2); err != nil {
			t.Errorf("%s: post: %v", a, err)
		}
		vals, err := s.Values()
		if err != nil || vals[0].Value != 3 {
			t.Errorf("%s: values %+v, %v; want 3", a, vals, err)
		}
		name, max := s.ValueMax()
		var ve *ValueLimitError
		if err := s.Post(max); !errors.As(err, &ve) || ve.Name != name {
			t.Errorf("%s: post past %s: %v, want a *ValueLimitError", a, name, err)
		}
	}
	if _, err := OpenSemaphore(px, SemOptions{IndexSet: true}); !errors.Is(err, ErrIndexPOSIX) {
		t.Errorf("--index on POSIX: %v, want ErrIndexPOSIX", err)
	}
	var ie *IndexError
	if _, err := OpenSemaphore(sv, SemOptions{Index: 2, IndexSet: true}); !errors.As(err, &ie) || ie.NSems != 2 {
		t.Errorf("index 2 of 2: %v, want an *IndexError", err)
	}
	s, _ := OpenSemaphore(sv, SemOptions{})
	if err := s.Op(ctx, []sysv.Sembuf{{Num: 5, Op: 1}}, true, false); !errors.As(err, &ie) {
		t.Errorf("op on index 5: %v, want an *IndexError", err)
	}
	if err := s.Set([]uint16{4, 5}, true); err != nil {
		t.Fatal(err)
	}
	if vals, _ := s.Values(); vals[0].Value != 4 || vals[1].Value != 5 {
		t.Errorf("after SETALL: %+v", vals)
	}
	// A set removed while a unit is held: giving it back is ErrRemoved.
	if err := s.Take(ctx, true, true); err != nil {
		t.Fatal(err)
	}
	RemoveSemaphore(sv)
	if err := s.Release(); !errors.Is(err, ErrRemoved) {
		t.Errorf("release after removal: %v, want ErrRemoved", err)
	}
}

func TestPosixSymlinkRefused(t *testing.T) {
	name := fmt.Sprintf("ipcx-ipc-link-%d", os.Getpid())
	if err := os.Symlink("/etc/passwd", "/dev/shm/"+name); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { os.Remove("/dev/shm/" + name) })
	if _, err := OpenSegment(mustParse(t, "/"+name), false); !errors.Is(err, ErrSymlink) || !errors.Is(err, unix.ELOOP) {
		t.Errorf("open through a symlink: %v, want ErrSymlink (ELOOP)", err)
	}
}

func TestSegmentBothFlavors(t *testing.T) {
	px := posixName(t, "m")
	if _, err := CreateSegment(px, 4096, 0o600, true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { RemoveSegment(px) })
	info, err := CreateSegment(mustParse(t, "private"), 4096, 0o600, false)
	if err != nil || !info.Created || info.Size != 4096 {
		t.Fatalf("create segment: %+v, %v", info, err)
	}
	sv := mustParse(t, fmt.Sprintf("id:%d", info.ID))
	t.Cleanup(func() { RemoveSegment(sv) })

	for _, a := range []addr.Addr{px, sv} {
		s, err := OpenSegment(a, true)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		if s.Size() != 4096 {
			t.Errorf("%s: size %d", a, s.Size())
		}
		if n, err := s.WriteFrom(bytes.NewReader([]byte("hello")), 5, 100); n != 5 || err != nil {
			t.Errorf("%s: write %d, %v", a, n, err)
		}
		if err := s.Zero(101, 2); err != nil {
			t.Error(err)
		}
		var out bytes.Buffer
		if err := s.ReadTo(&out, 100, 5); err != nil || out.String() != "h\x00\x00lo" {
			t.Errorf("%s: read %q, %v", a, out.String(), err)
		}
		s.Close()
	}
	if err := ResizeSegment(px, 8192); err != nil {
		t.Error(err)
	}
	if info, err := CreateSegment(px, 1, 0o600, false); err != nil || info.Created || info.Size != 8192 {
		t.Errorf("create existing: %+v, %v; want it found, 8192 bytes", info, err)
	}
	if n, err := RemoveSegment(sv); err != nil || n != 0 {
		t.Errorf("remove: %d attached, %v", n, err)
	}
}
