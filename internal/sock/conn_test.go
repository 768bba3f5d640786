//go:build linux

package sock

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// testCtx is bounded so that a hung test fails instead of hanging the suite.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustParse(t *testing.T, s string) Addr {
	t.Helper()
	a, err := ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func listen(t *testing.T, s string) *Listener {
	t.Helper()
	l, err := Listen(mustParse(t, s), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// unique abstract names: abstract sockets belong to the network namespace, shared with the host.
func abstractName(t *testing.T) string {
	return "ipcx-test-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + time.Now().Format("150405.000000000")
}

func kindsUnderTest(t *testing.T) []string {
	dir := t.TempDir()
	return []string{
		"unix:" + filepath.Join(dir, "s"),
		"unix:@" + abstractName(t),
		"unix-seqpacket:" + filepath.Join(dir, "p"),
		"unix-seqpacket:@" + abstractName(t) + "p",
		"unix-dgram:" + filepath.Join(dir, "d"),
		"unix-dgram:@" + abstractName(t) + "d",
		"tcp:127.0.0.1:0",
		"tcp:[::1]:0",
		"udp:127.0.0.1:0",
		"udp:[::1]:0",
	}
}

// serveEcho echoes one connection or, for datagram listeners, one datagram.
func serveEcho(t *testing.T, ctx context.Context, l *Listener) chan error {
	done := make(chan error, 1)
	go func() {
		if l.Addr().Kind.IsDatagram() {
			buf := make([]byte, MaxDatagram)
			n, peer, err := l.ReadDatagram(ctx, buf)
			if err != nil {
				done <- err
				return
			}
			done <- l.WriteDatagram(buf[:n], peer.Addr)
			return
		}
		c, err := l.Accept(ctx)
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		_, err = Echo(ctx, c)
		done <- err
	}()
	return done
}

func TestRelayEchoEveryKind(t *testing.T) {
	for _, s := range kindsUnderTest(t) {
		t.Run(s, func(t *testing.T) {
			ctx := testCtx(t)
			l := listen(t, s)
			if a := l.Addr(); !a.Kind.IsUnix() && a.Port == 0 {
				t.Fatalf("listener on %s reports port 0", s)
			}
			done := serveEcho(t, ctx, l)
			c, err := Dial(ctx, l.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var out bytes.Buffer
			st, err := Relay(ctx, c, strings.NewReader("hello, socket\n"), &out)
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != "hello, socket\n" || st.Sent != 14 || st.Received != 14 {
				t.Fatalf("relay got %q, stats %+v", out.String(), st)
			}
			if err := <-done; err != nil {
				t.Fatalf("server: %v", err)
			}
		})
	}
}

func TestUnixPeerCredentials(t *testing.T) {
	ctx := testCtx(t)
	for _, s := range []string{"unix:@" + abstractName(t), "unix-dgram:@" + abstractName(t) + "d"} {
		l := listen(t, s)
		got := make(chan *Cred, 1)
		go func() {
			if l.Addr().Kind.IsDatagram() {
				_, p, err := l.ReadDatagram(ctx, make([]byte, MaxDatagram))
				if err != nil {
					t.Error(err)
				}
				got <- p.Cred
				return
			}
			c, err := l.Accept(ctx)
			if err != nil {
				t.Error(err)
				got <- nil
				return
			}
			io.ReadAll(c)
			c.Close()
			got <- c.Peer.Cred
		}()
		if _, err := Send(ctx, l.Addr(), strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
		cred := <-got
		if cred == nil || cred.PID != os.Getpid() || cred.UID != os.Getuid() || cred.GID != os.Getgid() {
			t.Fatalf("%s: peer credentials %+v, want pid %d uid %d gid %d", s, cred, os.Getpid(), os.Getuid(), os.Getgid())
		}
	}
}

func TestHalfCloseHTTPEcho(t *testing.T) {
	ctx := testCtx(t)
	l := listen(t, "tcp:127.0.0.1:0")
	go func() {
		c, err := l.Accept(ctx)
		if err != nil {
			return
		}
		defer c.Close()
		HTTPEcho(ctx, c)
	}()
	c, err := Dial(ctx, l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out bytes.Buffer
	req := "GET / HTTP/1.0\r\nHost: x\r\n\r\n"
	if _, err := Relay(ctx, c, strings.NewReader(req), &out); err != nil {
		t.Fatal(err)
	}
	want := "HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 27\r\nConnection: close\r\n\r\n" + req
	if out.String() != want {
		t.Fatalf("response\n%q\nwant\n%q", out.String(), want)
	}
}

// TestHalfCloseReplyAfterEOF is the classic netcat bug: the server answers only after it has
// read EOF, so a client that exits at its own stdin EOF, or never shuts down, loses the reply.
func TestHalfCloseReplyAfterEOF(t *testing.T) {
	ctx := testCtx(t)
	l := listen(t, "unix:@"+abstractName(t))
	go func() {
		c, err := l.Accept(ctx)
		if err != nil {
			return
		}
		defer c.Close()
		data, _ := io.ReadAll(c)
		time.Sleep(100 * time.Millisecond)
		c.Write([]byte(strings.ToUpper(string(data))))
	}()
	c, err := Dial(ctx, l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := Relay(ctx, c, strings.NewReader("shout"), &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != "SHOUT" {
		t.Fatalf("got %q, want SHOUT", out.String())
	}
}

func TestListenRemovesOnlyItsOwnFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s")
	l, err := Listen(mustParse(t, "unix:"+path), 0)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode() != os.ModeSocket|0o600 {
		t.Fatalf("socket file mode %v, %v; want 0600", fi.Mode(), err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket file left behind: %v", err)
	}

	// A file someone put in place of ours after we bound is not ours to remove.
	l, err = Listen(mustParse(t, "unix:"+path), 0o660)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode() != os.ModeSocket|0o660 {
		t.Fatalf("socket file mode %v, %v; want 0660", fi.Mode(), err)
	}
	os.Remove(path)
	if err := os.WriteFile(path, []byte("not a socket"), 0o600); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if b, err := os.ReadFile(path); err != nil || string(b) != "not a socket" {
		t.Fatalf("Close touched a file it did not create: %q, %v", b, err)
	}

	// An existing file that is not a socket is refused as such (not "address in use", whose
	// remedy is removing a leftover socket file), and stays.
	for _, c := range []struct{ path, kind string }{{path, "a regular file"}, {dir, "a directory"}} {
		_, err = Listen(mustParse(t, "unix:"+c.path), 0)
		if !errors.Is(err, ErrNotSocket) || errors.Is(err, unix.EADDRINUSE) || !strings.Contains(err.Error(), "(it is "+c.kind+")") {
			t.Fatalf("Listen over %s: %v, want ErrNotSocket (it is %s)", c.kind, err, c.kind)
		}
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "not a socket" {
		t.Fatalf("existing file touched: %q, %v", b, err)
	}

	// A leftover socket file (its listener gone without removing it) is in use, and stays.
	left := filepath.Join(dir, "left.sock")
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	err = unix.Bind(fd, &unix.SockaddrUnix{Name: left})
	unix.Close(fd)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Listen(mustParse(t, "unix:"+left), 0)
	if !errors.Is(err, unix.EADDRINUSE) || errors.Is(err, ErrNotSocket) {
		t.Fatalf("Listen over a leftover socket file: %v, want EADDRINUSE", err)
	}
	if fi, err := os.Lstat(left); err != nil || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("leftover socket file removed: %v", err)
	}
}

func TestAcceptTimeout(t *testing.T) {
	l := listen(t, "tcp:127.0.0.1:0")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := l.Accept(ctx); !errors.Is(err, unix.ETIMEDOUT) {
		t.Fatalf("Accept after deadline: %v, want ETIMEDOUT", err)
	}
	d := listen(t, "udp:127.0.0.1:0")
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, _, err := d.ReadDatagram(ctx2, make([]byte, 10)); !errors.Is(err, context.Canceled) {
		t.Fatalf("ReadDatagram after cancel: %v, want context.Canceled", err)
	}
}

func TestDialRefused(t *testing.T) {
	ctx := testCtx(t)
	_, err := Dial(ctx, mustParse(t, "unix:"+filepath.Join(t.TempDir(), "none")))
	if !errors.Is(err, unix.ENOENT) {
		t.Fatalf("Dial to a missing path: %v, want ENOENT", err)
	}
	_, err = Dial(ctx, mustParse(t, "unix:@"+abstractName(t)))
	if !errors.Is(err, unix.ECONNREFUSED) {
		t.Fatalf("Dial to a missing abstract name: %v, want ECONNREFUSED", err)
	}
}

// data is a reproducible pseudo-random stream.
func data(seed uint64, n int64) io.Reader {
	var s [32]byte
	s[0] = byte(seed)
	return io.LimitReader(rand.NewChaCha8(s), n)
}

func sum(r io.Reader) [32]byte {
	h := sha256.New()
	io.Copy(h, r)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// pipeFrom returns the read end of a pipe that a goroutine fills from r.
func pipeFrom(t *testing.T, r io.Reader) *os.File {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { io.Copy(pw, r); pw.Close() }()
	t.Cleanup(func() { pr.Close() })
	return pr
}

// pipeTo returns the write end of a pipe whose content is hashed; the hash arrives on the channel
// when the write end is closed.
func pipeTo(t *testing.T) (*os.File, chan [32]byte) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan [32]byte, 1)
	go func() { ch <- sum(pr); pr.Close() }()
	return pw, ch
}

func TestCopySplice100MiB(t *testing.T) {
	const n = 100 << 20
	ctx := testCtx(t)
	for _, s := range []string{"unix:@" + abstractName(t), "tcp:127.0.0.1:0"} {
		before := splicedBytes.Load()
		l := listen(t, s)
		got := make(chan [32]byte, 1)
		go func() {
			c, err := l.Accept(ctx)
			if err != nil {
				t.Error(err)
				got <- [32]byte{}
				return
			}
			defer c.Close()
			w, h := pipeTo(t)
			if _, err := Copy(w, c, nil); err != nil {
				t.Error(err)
			}
			w.Close()
			got <- <-h
		}()
		sent, err := Send(ctx, l.Addr(), pipeFrom(t, data(1, n)))
		if err != nil || sent != n {
			t.Fatalf("%s: sent %d, %v", s, sent, err)
		}
		if <-got != sum(data(1, n)) {
			t.Fatalf("%s: received bytes differ", s)
		}
		// both the sender (pipe to socket) and the receiver (socket to pipe) spliced everything
		if spliced := splicedBytes.Load() - before; spliced != 2*n {
			t.Fatalf("%s: %d bytes spliced, want %d", s, spliced, 2*n)
		}
	}
}

// blockingPipe returns a pipe whose ends are blocking descriptors, as a shell gives a command's
// stdin and stdout: Copy splices them straight to and from a socket.
func blockingPipe(t *testing.T) (r, w *os.File) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	r, w = os.NewFile(uintptr(p[0]), "r"), os.NewFile(uintptr(p[1]), "w")
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

func TestCopyDirectSplice(t *testing.T) {
	const n = 20 << 20
	ctx := testCtx(t)
	l := listen(t, "unix:@"+abstractName(t))
	got := make(chan [32]byte, 1)
	go func() {
		c, err := l.Accept(ctx)
		if err != nil {
			t.Error(err)
			got <- [32]byte{}
			return
		}
		defer c.Close()
		r, w := blockingPipe(t)
		h := make(chan [32]byte, 1)
		go func() { h <- sum(r) }()
		if !direct(mustInspect(t, w), mustInspect(t, c)) {
			t.Error("socket to blocking pipe is not spliced directly")
		}
		if _, err := Copy(w, c, nil); err != nil { // socket -> blocking pipe
			t.Error(err)
		}
		w.Close()
		got <- <-h
	}()
	before := splicedBytes.Load()
	r, w := blockingPipe(t)
	go func() { io.Copy(w, data(4, n)); w.Close() }()
	sent, err := Send(ctx, l.Addr(), r) // blocking pipe -> socket
	if err != nil || sent != n {
		t.Fatalf("sent %d, %v", sent, err)
	}
	if <-got != sum(data(4, n)) {
		t.Fatal("bytes differ")
	}
	if spliced := splicedBytes.Load() - before; spliced != 2*n {
		t.Fatalf("%d bytes spliced, want %d", spliced, 2*n)
	}
}

func mustInspect(t *testing.T, c syscall.Conn) rawFD {
	r, err := inspect(c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestCopyPipeToPipe: a blocking pipe that delivers in bursts into a non-blocking pipe drained
// slowly, and the reverse. Between two pipes one O_NONBLOCK makes the kernel's EAGAIN ambiguous;
// Copy must neither stall nor lose bytes.
func TestCopyPipeToPipe(t *testing.T) {
	const n = 4 << 20
	for _, blockingSrc := range []bool{true, false} {
		var src, srcW, dst, dstR *os.File
		if blockingSrc {
			src, srcW = blockingPipe(t)
			var err error
			if dstR, dst, err = os.Pipe(); err != nil {
				t.Fatal(err)
			}
		} else {
			var err error
			if src, srcW, err = os.Pipe(); err != nil {
				t.Fatal(err)
			}
			dstR, dst = blockingPipe(t)
		}
		go func() {
			r := data(5, n)
			buf := make([]byte, 100000)
			for {
				k, err := r.Read(buf)
				srcW.Write(buf[:k])
				if err != nil {
					break
				}
				time.Sleep(time.Millisecond) // bursts: the source is often empty
			}
			srcW.Close()
		}()
		got := make(chan [32]byte, 1)
		go func() {
			h := sha256.New()
			buf := make([]byte, 30000)
			for {
				k, err := dstR.Read(buf)
				h.Write(buf[:k])
				if err != nil {
					break
				}
				time.Sleep(200 * time.Microsecond) // a slow reader: the destination is often full
			}
			var s [32]byte
			copy(s[:], h.Sum(nil))
			got <- s
		}()
		done := make(chan error, 1)
		go func() {
			_, err := Copy(dst, src, nil)
			dst.Close()
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("blocking source %v: Copy stalled", blockingSrc)
		}
		if <-got != sum(data(5, n)) {
			t.Fatalf("blocking source %v: bytes differ", blockingSrc)
		}
	}
}

// TestSendWaitForPeerEnds: Send waits for a stream peer to close after the data is sent; a peer
// that holds the connection open makes that wait end with ctx: ETIMEDOUT for a deadline,
// context.Canceled for a cancellation, never success.
func TestSendWaitForPeerEnds(t *testing.T) {
	l := listen(t, "tcp:127.0.0.1:0")
	held := make(chan *Conn, 4)
	go func() {
		for {
			c, err := l.Accept(context.Background())
			if err != nil {
				return
			}
			held <- c // read nothing, close nothing
		}
	}()
	t.Cleanup(func() {
		for len(held) > 0 {
			(<-held).Close()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if n, err := Send(ctx, l.Addr(), strings.NewReader("hello")); !errors.Is(err, unix.ETIMEDOUT) || n != 5 {
		t.Fatalf("Send to a peer that holds the connection, with a deadline: %d, %v; want 5, ETIMEDOUT", n, err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	if _, err := Send(ctx, l.Addr(), strings.NewReader("hello")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Send to a peer that holds the connection, cancelled: %v; want context.Canceled", err)
	}
}

// TestExecDropsInheritedPeerEnv: a listener that itself runs under a --exec (so IPCX_PEER* are
// in its environment) gives a TCP command only the TCP peer: no inherited UNIX credentials.
func TestExecDropsInheritedPeerEnv(t *testing.T) {
	t.Setenv("IPCX_PEER", "unix:")
	t.Setenv("IPCX_PEER_PID", "999999")
	t.Setenv("IPCX_PEER_UID", "4242")
	t.Setenv("IPCX_PEER_GID", "4343")
	t.Setenv("IPCX_PEERLESS", "kept")
	ctx := testCtx(t)
	l := listen(t, "tcp:127.0.0.1:0")
	go func() {
		c, err := l.Accept(ctx)
		if err != nil {
			return
		}
		Exec(ctx, c, []string{"sh", "-c", `env | grep '^IPCX_' | sort`}, os.Stderr)
	}()
	c, err := Dial(ctx, l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.CloseWrite()
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	want := "IPCX_PEER=tcp:" + c.LocalAddr().String() + "\nIPCX_PEERLESS=kept\n"
	if string(out) != want {
		t.Fatalf("the command's IPCX_ environment:\n%s\nwant:\n%s", out, want)
	}
}

// TestCopyGrowsPipes: a relay between a shell's pipe (64 KiB) and a socket grows the pipe to
// relayPipeSize, on the sending side (stdin) and the receiving side (stdout), as a C relay at the
// kernel's limit does: a splice then moves a MiB, not 64 KiB.
func TestCopyGrowsPipes(t *testing.T) {
	const n = 4 << 20
	ctx := testCtx(t)
	for _, s := range []string{"unix:@" + abstractName(t), "tcp:127.0.0.1:0"} {
		l := listen(t, s)
		inR, inW := blockingPipe(t)
		outR, outW := blockingPipe(t)
		for _, f := range []*os.File{inW, outW} {
			if c, err := unix.FcntlInt(f.Fd(), unix.F_GETPIPE_SZ, 0); err != nil || c >= relayPipeSize {
				t.Fatalf("a new pipe holds %d (%v): the test needs a smaller one", c, err)
			}
		}
		done := make(chan error, 1)
		go func() {
			c, err := l.Accept(ctx)
			if err != nil {
				done <- err
				return
			}
			defer c.Close()
			_, err = Copy(outW, c, nil)
			outW.Close()
			done <- err
		}()
		got := make(chan [32]byte, 1)
		go func() { got <- sum(outR) }()
		go func() { io.Copy(inW, data(5, n)); inW.Close() }()
		if sent, err := Send(ctx, l.Addr(), inR); err != nil || sent != n {
			t.Fatalf("%s: sent %d, %v", s, sent, err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if <-got != sum(data(5, n)) {
			t.Fatalf("%s: bytes differ", s)
		}
		for name, f := range map[string]*os.File{"input": inR, "output": outR} {
			if c, err := unix.FcntlInt(f.Fd(), unix.F_GETPIPE_SZ, 0); err != nil || c != relayPipeSize {
				t.Errorf("%s: the %s pipe holds %d (%v), want %d", s, name, c, err, relayPipeSize)
			}
		}
	}
}

// A relay splicing with its socket in blocking mode (Send; Serve, one connection at a time) is
// still stopped by its context: the peer reads nothing (Send waits for room) or sends nothing
// (the listener waits for data), and the end of the context wakes the splice blocked in the
// kernel, which Go's deadlines do not reach.
func TestBlockingRelayStops(t *testing.T) {
	for _, s := range []string{"unix:@" + abstractName(t), "tcp:127.0.0.1:0"} {
		l := listen(t, s)
		// Send into a peer that accepts and never reads
		held := make(chan *Conn, 1)
		go func() {
			c, err := l.Accept(testCtx(t))
			if err != nil {
				t.Error(err)
			}
			held <- c
		}()
		r, w := blockingPipe(t)
		go func() { io.Copy(w, data(6, 64<<20)) }()
		ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
		sent := make(chan error, 1)
		go func() { _, err := Send(ctx, l.Addr(), r); sent <- err }()
		select {
		case err := <-sent:
			if !errors.Is(err, unix.ETIMEDOUT) {
				t.Errorf("%s: Send: %v, want a timeout", s, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Send blocked on a full socket is not stopped by its context", s)
		}
		cancel()
		if c := <-held; c != nil {
			c.Close()
		}
		w.Close()

		// a listener printing to a pipe, its one peer connected and silent
		ctx, cancel = context.WithCancel(testCtx(t))
		_, out := blockingPipe(t) // its reader, open, reads nothing
		served := make(chan error, 1)
		go func() { served <- Serve(ctx, l, Config{Out: out}, nil) }()
		c, err := Dial(testCtx(t), l.Addr())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		time.AfterFunc(200*time.Millisecond, cancel)
		select {
		case err := <-served:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s: Serve: %v, want context.Canceled", s, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: a listener splicing from a silent peer is not stopped by its context", s)
		}
		c.Close()
	}
}
