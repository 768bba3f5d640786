//go:build linux

package bench

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pair opens both ends of m in this process, the echoing end on a goroutine locked to its own
// thread, which then runs serve with it. Their calls are scheduled ones (see scheduled): two
// ends of one process must not block raw.
func pair(t *testing.T, m *mechanism, size int, serve func(e end, f []byte)) (end, func()) {
	t.Helper()
	scheduled = true
	t.Cleanup(func() { scheduled = false })
	size, _ = sizeFor(m, size)
	sp := spec{Mech: m.name, Size: size, CPU: -1, ParentPid: os.Getpid(), ParentTid: unix.Gettid()}
	g := new(gone)
	h, err := m.start(&sp, g)
	if err != nil {
		t.Fatalf("%s: start: %v", m.name, err)
	}
	type opened struct {
		info int64
		err  error
	}
	ready := make(chan opened)
	done, connected := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		e, info, err := m.child(&sp, h.files())
		ready <- opened{info, err}
		if err != nil {
			return
		}
		// As the real echoing end waits for its first request, which comes after connect.
		if _, ok := <-connected; ok {
			return
		}
		serve(e, newFrame(size))
	}()
	o := <-ready
	if o.err != nil {
		close(connected)
		h.cleanup()
		t.Fatalf("%s: child: %v", m.name, o.err)
	}
	e, err := h.connect(o.info)
	if err != nil {
		connected <- struct{}{}
		<-done
		h.cleanup()
		t.Fatalf("%s: connect: %v", m.name, err)
	}
	close(connected)
	return e, func() { <-done; h.cleanup() }
}

// Every mechanism's loops, in this process: round trips and a stream check every message and
// allocate nothing, neither end (testing.AllocsPerRun counts the whole process).
func TestLoopsDoNotAllocate(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const rounds, per = 5, 200
	for _, m := range mechanisms() {
		for _, size := range []int{1, 64, 4096} {
			if m.kind != carriesData && size != 64 {
				continue
			}
			t.Run(m.name+"/"+SizeString(size), func(t *testing.T) {
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				data := m.kind == carriesData
				streams := m.stream
				var serveErr error
				var sunk atomic.Int64 // streams the echoing end has received
				e, wait := pair(t, m, size, func(e end, f []byte) {
					defer sunk.Store(1 << 62) // the sender stops resending markers when this end stops
					for i := 0; i <= rounds && serveErr == nil; i++ {
						serveErr = echoLoop(e, f, data, per)
					}
					if serveErr != nil {
						return
					}
					if !streams {
						return
					}
					for i := 0; i <= rounds && serveErr == nil; i++ {
						if m.lossy {
							// udp may drop datagrams of a stream (and its end marker): the stream
							// counts what arrives, as Run does; none arriving is a failure
							var got int64
							got, _, serveErr = lossySinkLoop(e.(*fdDgram), f, uint64(i))
							if serveErr == nil && (got == 0 || got > per) {
								serveErr = errLost
							}
							sunk.Add(1)
						} else {
							_, serveErr = sinkLoop(e, f, per)
						}
					}
				})
				defer wait()
				size, _ := sizeFor(m, size)
				f := newFrame(size)
				samples := make([]int64, per)
				var err error
				if a := testing.AllocsPerRun(rounds, func() {
					if err == nil {
						err = pingLoop(e, f, data, samples)
					}
				}); a != 0 {
					t.Errorf("round trips: %v allocations a run", a)
				}
				if err != nil {
					t.Fatalf("round trips: %v", err)
				}
				for _, s := range samples {
					if s <= 0 {
						t.Fatalf("a round trip took %d ns", s)
					}
				}
				if !streams {
					return
				}
				id := uint64(0)
				if a := testing.AllocsPerRun(rounds, func() {
					if err == nil {
						err = streamLoop(e, f, per)
					}
					if err == nil && m.lossy {
						// the marker is sent again until the receiver has it, as Run does
						marker := f[:cap(f)]
						for err == nil && sunk.Load() <= int64(id) {
							stamp(marker[hdr:], id)
							if err = e.(*fdDgram).sendEnd(marker); err == unix.ENOBUFS {
								err = nil
							}
							runtime.Gosched()
						}
					}
					id++
				}); a != 0 {
					t.Errorf("stream: %v allocations a run", a)
				}
				if err != nil {
					t.Fatalf("stream: %v", err)
				}
				wait()
				if serveErr != nil {
					t.Fatalf("echoing end: %v", serveErr)
				}
			})
		}
	}
	leftovers(t)
}

// leftovers fails when a run left an object: the test binary has an IPC namespace, /dev/shm and
// /dev/mqueue of its own (testns), so each must be empty, and the temporary directory must hold no
// run directory.
func leftovers(t *testing.T) {
	t.Helper()
	for _, f := range []string{"/proc/sysvipc/msg", "/proc/sysvipc/sem", "/proc/sysvipc/shm"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) > 1 {
			t.Errorf("%s: %d objects left: %q", f, len(lines)-1, lines[1:])
		}
	}
	for _, dir := range []string{"/dev/shm", "/dev/mqueue", os.TempDir()} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.Contains(e.Name(), "ipcx-bench-") {
				t.Errorf("left behind: %s", filepath.Join(dir, e.Name()))
			}
		}
	}
}

// TestNewFrame: the payload of every frame starts a page, as the C peer's does, with hdr bytes
// of headroom before it and the spare byte after it.
func TestNewFrame(t *testing.T) {
	page := uintptr(os.Getpagesize())
	for _, size := range []int{0, 1, 64, 4095, 4096, 4097, 65536} {
		for i := 0; i < 8; i++ {
			f := newFrame(size)
			if len(f) != hdr+size || cap(f) != hdr+size+1 {
				t.Fatalf("size %d: len %d cap %d, want %d and %d", size, len(f), cap(f), hdr+size, hdr+size+1)
			}
			if p := uintptr(unsafe.Pointer(&f[:hdr+1][hdr])); p%page != 0 {
				t.Fatalf("size %d: the payload is %d bytes into a page", size, p%page)
			}
		}
	}
}
