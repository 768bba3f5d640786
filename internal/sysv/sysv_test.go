//go:build linux

package sysv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/ipcx/ipcx/internal/testns"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { testns.Main(m) }

func TestParseTables(t *testing.T) {
	open := func(name string) *os.File {
		f, err := os.Open("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	msgs, err := ParseMsgQueues(open("msg.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Key != 12345678 || msgs[0].Mode != 0o600 || msgs[0].Bytes != 11 || msgs[0].Msgs != 2 ||
		msgs[0].LSPID != 4242 || msgs[0].RTime != nil || msgs[0].STime.Unix() != 1763734981 ||
		msgs[1].Key != -1 || msgs[1].ID != 32769 || msgs[1].Mode != 0o1666 || msgs[1].UID != 1000 || msgs[1].LRPID != 4243 {
		t.Errorf("msg: %+v", msgs)
	}
	sems, err := ParseSemSets(open("sem.txt"))
	if err != nil || len(sems) != 1 || sems[0].Key != 0x12345678 || sems[0].NSems != 4 || sems[0].OTime != nil {
		t.Errorf("sem: %+v, %v", sems, err)
	}
	shms, err := ParseShmSegs(open("shm.txt"))
	if err != nil || len(shms) != 1 || shms[0].Mode != 0o1600 || shms[0].Size != 1<<20 || shms[0].NAttch != 1 || shms[0].RSS != 4096 || shms[0].CPID != 4000 {
		t.Errorf("shm: %+v, %v", shms, err)
	}
	if _, err := ParseMsgQueues(strings.NewReader("header\n1 2 3\n")); err == nil {
		t.Error("a short line parsed")
	}
	if _, err := ParseMsgQueues(strings.NewReader("header\nx 0 600 0 0 0 0 0 0 0 0 0 0 0\n")); err == nil {
		t.Error("a bad key parsed")
	}
}

// newQueue makes a private queue removed at the end of the test.
func newQueue(t *testing.T) ID {
	t.Helper()
	id, err := MsgGet(Private, Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { MsgRemove(id) })
	return id
}

// MsgMax is the kernel's limit: a message of that size is taken, one byte more is refused.
func TestMsgMax(t *testing.T) {
	id := newQueue(t)
	max := MsgMax()
	if max <= 0 {
		t.Fatalf("MsgMax() = %d", max)
	}
	ctx := context.Background()
	if err := MsgSnd(ctx, id, 1, make([]byte, max), NoWait); err != nil {
		t.Errorf("a message of MsgMax() = %d bytes: %v", max, err)
	}
	if err := MsgSnd(ctx, id, 1, make([]byte, max+1), NoWait); !errors.Is(err, unix.EINVAL) {
		t.Errorf("a message of MsgMax()+1 bytes: %v, want EINVAL", err)
	}
}

func TestMsgRoundTrip(t *testing.T) {
	id := newQueue(t)
	ctx := context.Background()
	payloads := map[int64][]byte{3: []byte("three"), 1: {0, 1, 0, 255}, 2: {}}
	for _, typ := range []int64{3, 1, 2} {
		if err := MsgSnd(ctx, id, typ, payloads[typ], 0); err != nil {
			t.Fatal(err)
		}
	}
	ds, err := MsgStat(id)
	if err != nil || ds.Qnum != 3 || ds.Cbytes != 9 || ds.Perm.Mode&0o777 != 0o600 || int(ds.Lspid) != os.Getpid() {
		t.Fatalf("stat: %+v, %v", ds, err)
	}
	// Negative type: lowest type first.
	buf := make([]byte, 8+64)
	for _, want := range []int64{1, 2, 3} {
		typ, text, err := MsgRcv(ctx, id, buf, -3, NoWait)
		if err != nil || typ != want || !bytes.Equal(text, payloads[want]) {
			t.Fatalf("MsgRcv(-3) = %d %q %v, want %d %q", typ, text, err, want, payloads[want])
		}
	}
	if _, _, err := MsgRcv(ctx, id, buf, 0, NoWait); !errors.Is(err, unix.ENOMSG) {
		t.Fatalf("empty queue with NoWait: %v, want ENOMSG", err)
	}
	if err := MsgSnd(ctx, id, 0, []byte("x"), 0); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("type 0: %v, want EINVAL", err)
	}
}

func TestMsgRcvExceptAndE2BIG(t *testing.T) {
	id := newQueue(t)
	ctx := context.Background()
	MsgSnd(ctx, id, 5, []byte("five"), 0)
	MsgSnd(ctx, id, 6, []byte("six-long"), 0)
	buf := make([]byte, 8+16)
	typ, text, err := MsgRcv(ctx, id, buf, 5, NoWait|MsgExcept)
	if err != nil || typ != 6 || string(text) != "six-long" {
		t.Fatalf("except 5: %d %q %v", typ, text, err)
	}
	if _, _, err := MsgRcv(ctx, id, buf[:8+2], 0, NoWait); !errors.Is(err, unix.E2BIG) {
		t.Fatalf("short buffer: %v, want E2BIG", err)
	}
}

func TestMsgRcvCancelAndDeadline(t *testing.T) {
	id := newQueue(t)
	buf := make([]byte, 8+16)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := MsgRcv(ctx, id, buf, 0, 0)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("blocked receive past its deadline: %v", err)
	}
	if d := time.Since(start); d < 100*time.Millisecond || d > 5*time.Second {
		t.Fatalf("returned after %v", d)
	}
	// A message that arrives while a receiver is blocked is received.
	go func() {
		time.Sleep(50 * time.Millisecond)
		MsgSnd(context.Background(), id, 1, []byte("late"), 0)
	}()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if _, text, err := MsgRcv(ctx2, id, buf, 0, 0); err != nil || string(text) != "late" {
		t.Fatalf("blocked receive: %q %v", text, err)
	}
}

func TestMsgKeyAndFtok(t *testing.T) {
	k, err := Ftok("/", 0x41)
	if err != nil {
		t.Fatal(err)
	}
	id, err := MsgGet(k, Create|Exclusive|0o640)
	if err != nil {
		t.Fatal(err)
	}
	defer MsgRemove(id)
	if _, err := MsgGet(k, Create|Exclusive|0o640); !errors.Is(err, unix.EEXIST) {
		t.Fatalf("second exclusive create: %v", err)
	}
	again, err := MsgGet(k, 0)
	if err != nil || again != id {
		t.Fatalf("lookup by key: %d %v, want %d", again, err, id)
	}
	qs, err := MsgQueues()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, q := range qs {
		found = found || (q.ID == id && q.Key == k && q.Mode == 0o640)
	}
	if !found {
		t.Errorf("queue %d with key %v not in /proc/sysvipc/msg: %+v", id, k, qs)
	}
}

// BenchmarkMsgSndRcv measures one msgsnd and one msgrcv of a 32-byte message.
func BenchmarkMsgSndRcv(b *testing.B) {
	id, err := MsgGet(Private, Create|0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer MsgRemove(id)
	ctx := context.Background()
	msg, buf := bytes.Repeat([]byte("x"), 32), make([]byte, 8+64)
	b.ReportAllocs()
	for b.Loop() {
		if err := MsgSnd(ctx, id, 1, msg, 0); err != nil {
			b.Fatal(err)
		}
		if _, _, err := MsgRcv(ctx, id, buf, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func TestKeyJSON(t *testing.T) {
	for _, k := range []Key{0, 0x1a2b, -1} {
		b, err := k.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var back Key
		if err := back.UnmarshalJSON(b); err != nil || back != k {
			t.Errorf("%v -> %s -> %v, %v", k, b, back, err)
		}
	}
	if string(must(Key(0x1a2b).MarshalJSON())) != `"0x00001a2b"` {
		t.Error("key not written as hex")
	}
	var k Key
	if k.UnmarshalJSON([]byte(`"nope"`)) == nil {
		t.Error("bad key parsed")
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzParseTables feeds arbitrary text to the /proc/sysvipc parsers: they must not panic, and a
// line they accept must give back the numbers written in it.
func FuzzParseTables(f *testing.F) {
	for _, name := range []string{"msg.txt", "sem.txt", "shm.txt"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("h\n-2147483648 0 777 1 2 3 4 5 6 7 8 9 10 11\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, err := ParseMsgQueues(bytes.NewReader(b))
		ParseSemSets(bytes.NewReader(b))
		ParseShmSegs(bytes.NewReader(b))
		if err != nil {
			return
		}
		// Written back as a line, each accepted row parses to itself.
		sec := func(t *time.Time) int64 {
			if t == nil {
				return 0
			}
			return t.Unix()
		}
		for _, m := range msgs {
			line := fmt.Sprintf("h\n%d %d %o %d %d %d %d %d %d %d %d %d %d %d\n", int32(m.Key), m.ID, m.Mode, m.Bytes, m.Msgs,
				m.LSPID, m.LRPID, m.UID, m.GID, m.CUID, m.CGID, sec(m.STime), sec(m.RTime), sec(m.CTime))
			again, err := ParseMsgQueues(strings.NewReader(line))
			if err != nil || len(again) != 1 || fmt.Sprint(again[0]) != fmt.Sprint(m) {
				t.Fatalf("row %+v written as %q parses to %+v, %v", m, line, again, err)
			}
		}
	})
}

func TestParseTableRanges(t *testing.T) {
	for _, bad := range []string{
		"h\n2147483648 0 600 0 0 0 0 0 0 0 0 0 0 0\n",           // key over int32
		"h\n1 0 800 0 0 0 0 0 0 0 0 0 0 0\n",                    // perms not octal
		"h\n1 0 600 99999999999999999999 0 0 0 0 0 0 0 0 0 0\n", // over int64
		"h\n1 0 600 - 0 0 0 0 0 0 0 0 0 0\n",
		"h\n1 0 600 0 -1 0 0 0 0 0 0 0 0 0\n", // a count below zero
		"h\n1 -1 600 0 0 0 0 0 0 0 0 0 0 0\n", // an id below zero
	} {
		if _, err := ParseMsgQueues(strings.NewReader(bad)); err == nil {
			t.Errorf("parsed %q", bad)
		}
	}
	qs, err := ParseMsgQueues(strings.NewReader("h\n-2147483648 7 1777 1 2 3 4 5 6 7 8 0 0 9\n\n"))
	if err != nil || len(qs) != 1 || qs[0].Key != -1<<31 || qs[0].Mode != 0o1777 || qs[0].CTime.Unix() != 9 || qs[0].STime != nil {
		t.Errorf("%+v %v", qs, err)
	}
}

// TestMsgWaitAllocs: a receive that sleeps in the kernel under a context allocates nothing (after
// the first wait under that context): a stream waits thousands of times, and a wait that allocated
// (a context.AfterFunc, a channel and closures each) made the heap of `mq recv --follow` grow with
// the number of messages until the GC ran.
func TestMsgWaitAllocs(t *testing.T) {
	id := newQueue(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// The sender waits until this thread sleeps in msgrcv (/proc/self/task/TID/wchan is the
	// kernel's do_msgrcv only while it is blocked there: unlike the syscall file's number, that is
	// the same under qemu-user, whose host makes the call), then sends; it allocates nothing itself.
	path, err := unix.BytePtrFromString(fmt.Sprintf("/proc/self/task/%d/wchan", unix.Gettid()))
	if err != nil {
		t.Fatal(err)
	}
	want := []byte("do_msgrcv")
	img := MsgImage(nil, 1, []byte("wake"))
	start, sent := make(chan struct{}), make(chan struct{})
	cwd := unix.AT_FDCWD
	go func() {
		b := make([]byte, 64)
		for range start {
			for {
				fd, _, e := unix.Syscall6(unix.SYS_OPENAT, uintptr(cwd), uintptr(unsafe.Pointer(path)), unix.O_RDONLY, 0, 0, 0)
				if e != 0 {
					panic(e)
				}
				n, _, _ := unix.Syscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
				unix.Syscall(unix.SYS_CLOSE, fd, 0, 0)
				if int(n) >= len(want) && bytes.Equal(b[:len(want)], want) {
					break
				}
				runtime.Gosched()
			}
			if err := MsgSndImage(ctx, id, img, NoWait); err != nil {
				panic(err)
			}
			sent <- struct{}{}
		}
	}()
	defer close(start)
	buf := make([]byte, 8+16)
	recv := func() {
		start <- struct{}{}
		if _, text, err := MsgRcv(ctx, id, buf, 0, 0); err != nil || string(text) != "wake" {
			t.Fatalf("MsgRcv: %q %v", text, err)
		}
		<-sent
	}
	recv() // the first wait under ctx starts its interrupter
	if n := testing.AllocsPerRun(20, recv); n != 0 {
		t.Errorf("a receive that waited in the kernel allocated %v times, want 0", n)
	}
	// The wait still ends with its context.
	cancel()
	if _, _, err := MsgRcv(ctx, id, buf, 0, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("receive under an ended context: %v", err)
	}
}

// TestMsgWaitCancelled: a receive sleeping in the kernel returns ctx's error when ctx is
// cancelled while it sleeps, and several sleepers under one context are all woken.
func TestMsgWaitCancelled(t *testing.T) {
	id := newQueue(t)
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			_, _, err := MsgRcv(ctx, id, make([]byte, 8+16), 0, 0)
			errs <- err
		}()
	}
	time.AfterFunc(50*time.Millisecond, cancel)
	for range 3 {
		select {
		case err := <-errs:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled receive: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a receive sleeping under a cancelled context did not return")
		}
	}
}
