package sock

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// send connects to l, sends msg and closes.
func sendTo(t *testing.T, ctx context.Context, l *Listener, msg string) {
	t.Helper()
	if _, err := Send(ctx, l.Addr(), strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
}

func TestServeOncePrintsAndReports(t *testing.T) {
	ctx := testCtx(t)
	l := listen(t, "unix:"+filepath.Join(t.TempDir(), "s"))
	var out bytes.Buffer
	var events []Event
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, l, Config{Out: &out, Once: true}, func(ev Event) error {
			events = append(events, ev)
			return nil
		})
	}()
	sendTo(t, ctx, l, "hello")
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if out.String() != "hello" {
		t.Errorf("printed %q, want hello", out.String())
	}
	if len(events) != 1 || events[0].Kind != Connection || events[0].BytesIn != 5 || events[0].Err != nil ||
		events[0].Peer.Cred == nil || events[0].Peer.Cred.PID != os.Getpid() {
		t.Errorf("events %+v, want one connection of 5 bytes from this process", events)
	}
}

func TestServeIdle(t *testing.T) {
	l := listen(t, "tcp:127.0.0.1:0")
	err := Serve(testCtx(t), l, Config{Handler: HandleCount, Keep: true, Timeout: 50 * time.Millisecond}, nil)
	var idle *IdleError
	if !errors.As(err, &idle) || idle.Timeout != 50*time.Millisecond || !errors.Is(err, unix.ETIMEDOUT) {
		t.Fatalf("Serve: %v, want an IdleError of 50ms", err)
	}
}

func TestServeStoppedByContext(t *testing.T) {
	l := listen(t, "unix:@"+abstractName(t))
	ctx, cancel := context.WithCancel(testCtx(t))
	time.AfterFunc(50*time.Millisecond, cancel)
	if err := Serve(ctx, l, Config{Handler: HandleEcho, Keep: true}, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve: %v, want context.Canceled", err)
	}
}

// With Keep, at most MaxConns connections are served at once.
func TestServeMaxConns(t *testing.T) {
	ctx := testCtx(t)
	l := listen(t, "unix:@"+abstractName(t))
	var mu sync.Mutex
	var n int
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, l, Config{Handler: HandleCount, Keep: true, MaxConns: 2, Timeout: 300 * time.Millisecond},
			func(ev Event) error { mu.Lock(); n++; mu.Unlock(); return nil })
	}()
	var conns []*Conn
	for range 3 {
		c, err := Dial(ctx, l.Addr())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	time.Sleep(100 * time.Millisecond)
	mu.Lock()
	if n != 0 {
		t.Errorf("%d connections ended before any was closed", n)
	}
	mu.Unlock()
	// two are served, the third waits in the backlog until a slot frees
	conns[0].Close()
	conns[1].Close()
	conns[2].Close()
	var idle *IdleError
	if err := <-done; !errors.As(err, &idle) {
		t.Fatalf("Serve: %v, want IdleError once the connections are gone", err)
	}
	if n != 3 {
		t.Errorf("%d connections reported, want 3", n)
	}
}

// An output that fails stops Serve with an OutputError, whatever comes next.
func TestServeOutputFails(t *testing.T) {
	ctx := testCtx(t)
	l := listen(t, "udp:127.0.0.1:0")
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, l, Config{Handler: HandleCount}, func(ev Event) error {
			if ev.Kind != Datagram || string(ev.Data) != "ping" {
				t.Errorf("event %+v, want the datagram ping", ev)
			}
			return ErrClosedPipe
		})
	}()
	sendTo(t, ctx, l, "ping")
	var oe *OutputError
	if err := <-done; !errors.As(err, &oe) || !errors.Is(err, unix.EPIPE) {
		t.Fatalf("Serve: %v, want an OutputError wrapping EPIPE", err)
	}
}

func TestNotSocketError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Dial(testCtx(t), mustParse(t, "unix:"+p))
	var ns *NotSocketError
	if !errors.As(err, &ns) || ns.Kind != "a regular file" || ns.Op != "connect" || !errors.Is(err, ErrNotSocket) {
		t.Fatalf("Dial to a regular file: %v, want a NotSocketError of a regular file", err)
	}
}

// With Keep, the connections share one buffer for what they print (and a pool for what they only
// count) instead of one buffer each: 32 connections of 256 KiB each allocate less than 4 MiB in
// all (a buffer of copyBufSize each was 8 MiB), and every byte arrives.
func TestServeKeepSharesBuffers(t *testing.T) {
	const conns, per = 32, 256 << 10
	for _, h := range []Handler{HandlePrint, HandleCount} {
		ctx := testCtx(t)
		l := listen(t, "unix:@"+abstractName(t))
		var out bytes.Buffer
		out.Grow(conns * per)
		payload := make([][]byte, conns)
		for i := range payload {
			payload[i] = bytes.Repeat([]byte{byte('A' + i)}, per)
		}
		var mu sync.Mutex
		var in int64
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		done := make(chan error, 1)
		go func() {
			done <- Serve(ctx, l, Config{Handler: h, Out: &out, Keep: true, Timeout: 300 * time.Millisecond},
				func(ev Event) error { mu.Lock(); in += ev.BytesIn; mu.Unlock(); return nil })
		}()
		var wg sync.WaitGroup
		for i := range conns {
			c, err := Dial(ctx, l.Addr())
			if err != nil {
				t.Fatal(err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				if _, err := c.Write(payload[i]); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		var idle *IdleError
		if err := <-done; !errors.As(err, &idle) {
			t.Fatalf("Serve: %v, want IdleError once the connections are gone", err)
		}
		runtime.ReadMemStats(&after)
		if in != conns*per {
			t.Errorf("handler %d: events report %d bytes, want %d", h, in, conns*per)
		}
		if h == HandlePrint {
			for i := range conns {
				if n := bytes.Count(out.Bytes(), payload[i][:1]); n != per {
					t.Errorf("%d bytes of connection %d printed, want %d", n, i, per)
				}
			}
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
			t.Errorf("handler %d: %d connections allocated %d bytes, want less than 4 MiB", h, conns, alloc)
		}
	}
}
