//go:build linux

package sock

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/ctest"
)

// need returns the path of a peer program; a missing peer fails the test (scripts/test installs
// socat, netcat-openbsd and curl).
func need(t *testing.T, prog string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		t.Fatalf("%s is needed for this interop test (scripts/test installs it): %v", prog, err)
	}
	return p
}

func freePort(t *testing.T, network, host string) int {
	t.Helper()
	var a net.Addr
	if strings.HasPrefix(network, "udp") {
		c, err := net.ListenPacket(network, net.JoinHostPort(host, "0"))
		if err != nil {
			t.Fatal(err)
		}
		a = c.LocalAddr()
		c.Close()
		return a.(*net.UDPAddr).Port
	}
	l, err := net.Listen(network, net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	a = l.Addr()
	l.Close()
	return a.(*net.TCPAddr).Port
}

// startPeer starts a peer program with stdin from in. The hash of its stdout arrives on the
// channel when it exits; n counts the bytes it has written so far.
func startPeer(t *testing.T, ctx context.Context, in io.Reader, argv ...string) (*exec.Cmd, chan [32]byte, *atomic.Int64) {
	t.Helper()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = in
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := new(atomic.Int64)
	ch := make(chan [32]byte, 1)
	go func() { ch <- sum(io.TeeReader(out, countingWriter{io.Discard, n})) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("%s: %s", argv[0], stderr.String())
		}
	})
	return cmd, ch, n
}

// waitBound waits until something listens on a (a stream listener accepts, a datagram socket is
// bound), so that a client started next does not race the peer's startup.
func waitBound(t *testing.T, a Addr) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		switch {
		case !a.Kind.IsDatagram():
			if c, err := net.Dial(a.Kind.Network(), a.NetAddr()); err == nil {
				c.Close()
				return
			}
		case a.Kind.IsUnix():
			if inProcNetUnix(a, false) {
				return
			}
		default:
			// A UDP port is bound when /proc/net lists it. (Binding it ourselves to see
			// whether that fails would hold the port for a moment, and a peer binding just
			// then would fail with "Address already in use".)
			if inProcNet(a, "udp", "") {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("nothing bound %s in time", a)
}

type interopCase struct {
	name   string
	addr   string   // the ipcx side's address (%d = a free port, %s = a path or abstract name)
	client []string // peer client command sending its stdin to the ipcx listener
	server []string // peer server command printing what it receives to stdout
	size   int64
}

func interopCases(t *testing.T) []interopCase {
	const big = 100 << 20
	dir := t.TempDir()
	tcp4 := freePort(t, "tcp4", "127.0.0.1")
	tcp6 := freePort(t, "tcp6", "::1")
	udp4 := freePort(t, "udp4", "127.0.0.1")
	udp6 := freePort(t, "udp6", "::1")
	abs := abstractName(t)
	p := func(s string) string { return filepath.Join(dir, s) }
	return []interopCase{
		{"socat/unix", "unix:" + p("su"), []string{"socat", "-u", "STDIN", "UNIX-CONNECT:" + p("su")}, []string{"socat", "-u", "UNIX-LISTEN:" + p("su"), "STDOUT"}, big},
		{"nc/unix", "unix:" + p("nu"), []string{"nc", "-N", "-U", p("nu")}, []string{"nc", "-l", "-U", p("nu")}, big},
		{"socat/abstract", "unix:@" + abs, []string{"socat", "-u", "STDIN", "ABSTRACT-CONNECT:" + abs}, []string{"socat", "-u", "ABSTRACT-LISTEN:" + abs, "STDOUT"}, big},
		{"socat/unix-dgram", "unix-dgram:" + p("sd"), []string{"socat", "-u", "STDIN", "UNIX-SENDTO:" + p("sd")}, []string{"socat", "-u", "UNIX-RECV:" + p("sd"), "STDOUT"}, 4000},
		{"nc/unix-dgram", "unix-dgram:" + p("nd"), []string{"nc", "-U", "-u", "-q", "0", p("nd")}, []string{"nc", "-l", "-U", "-u", p("nd")}, 4000},
		{"socat/abstract-dgram", "unix-dgram:@" + abs + "d", []string{"socat", "-u", "STDIN", "ABSTRACT-SENDTO:" + abs + "d"}, []string{"socat", "-u", "ABSTRACT-RECV:" + abs + "d", "STDOUT"}, 4000},
		{"socat/tcp", fmt.Sprintf("tcp:127.0.0.1:%d", tcp4), []string{"socat", "-u", "STDIN", fmt.Sprintf("TCP4:127.0.0.1:%d", tcp4)}, []string{"socat", "-u", fmt.Sprintf("TCP4-LISTEN:%d,bind=127.0.0.1,reuseaddr", tcp4), "STDOUT"}, big},
		{"nc/tcp", fmt.Sprintf("tcp:127.0.0.1:%d", tcp4), []string{"nc", "-N", "127.0.0.1", strconv.Itoa(tcp4)}, []string{"nc", "-l", "127.0.0.1", strconv.Itoa(tcp4)}, big},
		{"socat/tcp6", fmt.Sprintf("tcp:[::1]:%d", tcp6), []string{"socat", "-u", "STDIN", fmt.Sprintf("TCP6:[::1]:%d", tcp6)}, []string{"socat", "-u", fmt.Sprintf("TCP6-LISTEN:%d,bind=[::1],reuseaddr", tcp6), "STDOUT"}, big},
		{"nc/tcp6", fmt.Sprintf("tcp:[::1]:%d", tcp6), []string{"nc", "-6", "-N", "::1", strconv.Itoa(tcp6)}, []string{"nc", "-6", "-l", "::1", strconv.Itoa(tcp6)}, big},
		{"socat/udp", fmt.Sprintf("udp:127.0.0.1:%d", udp4), []string{"socat", "-u", "STDIN", fmt.Sprintf("UDP4-SENDTO:127.0.0.1:%d", udp4)}, []string{"socat", "-u", fmt.Sprintf("UDP4-RECV:%d,bind=127.0.0.1", udp4), "STDOUT"}, 4000},
		{"nc/udp", fmt.Sprintf("udp:127.0.0.1:%d", udp4), []string{"nc", "-u", "-q", "0", "127.0.0.1", strconv.Itoa(udp4)}, []string{"nc", "-u", "-l", "127.0.0.1", strconv.Itoa(udp4)}, 4000},
		{"socat/udp6", fmt.Sprintf("udp:[::1]:%d", udp6), []string{"socat", "-u", "STDIN", fmt.Sprintf("UDP6-SENDTO:[::1]:%d", udp6)}, []string{"socat", "-u", fmt.Sprintf("UDP6-RECV:%d,bind=[::1]", udp6), "STDOUT"}, 4000},
		{"nc/udp6", fmt.Sprintf("udp:[::1]:%d", udp6), []string{"nc", "-6", "-u", "-q", "0", "::1", strconv.Itoa(udp6)}, []string{"nc", "-6", "-u", "-l", "::1", strconv.Itoa(udp6)}, 4000},
	}
}

// TestInteropPeerClient: socat and nc send to an ipcx listener; the bytes arrive identical.
func TestInteropPeerClient(t *testing.T) {
	for _, tc := range interopCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			need(t, tc.client[0])
			ctx := testCtx(t)
			l := listen(t, tc.addr)
			got := make(chan [32]byte, 1)
			go func() {
				w, h := pipeTo(t)
				defer func() { w.Close(); got <- <-h }()
				if l.Addr().Kind.IsDatagram() {
					buf := make([]byte, MaxDatagram)
					n, _, err := l.ReadDatagram(ctx, buf)
					if err != nil {
						t.Error(err)
						return
					}
					w.Write(buf[:n])
					return
				}
				c, err := l.Accept(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				defer c.Close()
				if _, err := Copy(w, c, nil); err != nil {
					t.Error(err)
				}
			}()
			cmd := exec.CommandContext(ctx, tc.client[0], tc.client[1:]...)
			cmd.Stdin = pipeFrom(t, data(2, tc.size))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", strings.Join(tc.client, " "), err, out)
			}
			if <-got != sum(data(2, tc.size)) {
				t.Fatal("bytes differ")
			}
		})
	}
}

// TestInteropPeerServer: an ipcx client sends to socat and nc listeners; the bytes arrive identical.
func TestInteropPeerServer(t *testing.T) {
	for _, tc := range interopCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			need(t, tc.server[0])
			ctx := testCtx(t)
			a := mustParse(t, tc.addr)
			cmd, got, written := startPeer(t, ctx, nil, tc.server...)
			if a.Kind.IsDatagram() {
				// nothing to connect to: wait for the peer to bind
				waitBound(t, a)
			} else {
				waitForListen(t, ctx, a)
			}
			var n int64
			var err error
			if strings.HasPrefix(tc.name, "nc/") && a.Kind.IsDatagram() {
				// nc -l -u connects back to the sender's address: the sender must stay,
				// as `ipcx sock connect` does (it lingers for replies)
				var c *Conn
				if c, err = Dial(ctx, a); err == nil {
					var st Stats
					st, err = Relay(ctx, c, pipeFrom(t, data(3, tc.size)), io.Discard)
					n = st.Sent
					c.Close()
				}
			} else {
				n, err = Send(ctx, a, pipeFrom(t, data(3, tc.size)))
			}
			if err != nil || n != tc.size {
				t.Fatalf("sent %d of %d: %v", n, tc.size, err)
			}
			if a.Kind.IsDatagram() {
				// datagram peers never see an end: stop them once the datagram is in
				for deadline := time.Now().Add(20 * time.Second); written.Load() < tc.size && time.Now().Before(deadline); {
					time.Sleep(10 * time.Millisecond)
				}
				cmd.Process.Signal(os.Interrupt)
			}
			if h := <-got; h != sum(data(3, tc.size)) {
				t.Fatal("bytes differ")
			}
		})
	}
}

// waitForListen waits until the peer's listening socket exists without connecting to it (a
// probe connection would be the one connection a one-shot peer serves): it looks the address up
// in /proc/net.
func waitForListen(t *testing.T, ctx context.Context, a Addr) {
	t.Helper()
	for ctx.Err() == nil {
		if listeningInProc(a) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("peer never listened on %s", a)
}

func listeningInProc(a Addr) bool {
	switch {
	case a.Kind.IsUnix():
		return inProcNetUnix(a, true)
	default:
		return inProcNet(a, "tcp", "0A")
	}
}

// inProcNet reports whether /proc/net/PROTO (or PROTO6 for an IPv6 host) lists a socket bound
// to a's port, in the given state (hex, as the file shows it; "" for any).
func inProcNet(a Addr, proto, state string) bool {
	file := "/proc/net/" + proto
	if strings.Contains(a.Host, ":") {
		file += "6"
	}
	b, _ := os.ReadFile(file)
	port := fmt.Sprintf(":%04X", a.Port)
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && strings.HasSuffix(f[1], port) && (state == "" || f[3] == state) {
			return true
		}
	}
	return false
}

// TestExecPeerCredentialsC: a gcc-compiled client connects to a listener running --exec style
// commands; the command sees the client's pid and uid in IPCX_PEER_PID and IPCX_PEER_UID and
// sends them back, and the client checks them against getpid() and getuid().
func TestExecPeerCredentialsC(t *testing.T) {
	client := ctest.Build(t, "credclient", `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
int main(int argc, char **argv) {
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strncpy(sa.sun_path, argv[1], sizeof sa.sun_path - 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { perror("connect"); return 2; }
	shutdown(fd, SHUT_WR);
	char buf[256]; int n = 0, r;
	while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
	buf[n] = 0;
	long pid = -1, uid = -1;
	if (sscanf(buf, "%ld %ld", &pid, &uid) != 2) { fprintf(stderr, "reply %s\n", buf); return 3; }
	if (pid != getpid() || uid != getuid()) {
		fprintf(stderr, "got pid %ld uid %ld, am pid %d uid %d\n", pid, uid, getpid(), getuid());
		return 1;
	}
	printf("ok %ld\n", pid);
	return 0;
}
`)
	ctx := testCtx(t)
	path := filepath.Join(t.TempDir(), "exec.sock")
	l := listen(t, "unix:"+path)
	status := make(chan int, 1)
	go func() {
		c, err := l.Accept(ctx)
		if err != nil {
			t.Error(err)
			status <- -1
			return
		}
		st, err := Exec(ctx, c, []string{"sh", "-c", `echo "$IPCX_PEER_PID $IPCX_PEER_UID"`}, os.Stderr)
		if err != nil {
			t.Error(err)
		}
		status <- st
	}()
	out, err := exec.CommandContext(ctx, client, path).CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "ok ") {
		t.Fatalf("C client: %v\n%s", err, out)
	}
	if st := <-status; st != 0 {
		t.Fatalf("exec status %d", st)
	}
}

// TestHTTPEchoCurl: curl gets a 200 whose body holds the request line.
func TestHTTPEchoCurl(t *testing.T) {
	curl := need(t, "curl")
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
	out, err := exec.CommandContext(ctx, curl, "-sS", "-w", "\n%{http_code}", "http://"+l.Addr().NetAddr()+"/some/path?q=1").CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "GET /some/path?q=1 HTTP/1.1\r\n") || !strings.HasSuffix(string(out), "\n200") {
		t.Fatalf("curl got:\n%s", out)
	}

	// a POST: the body is echoed after the head, the connection closes cleanly
	go func() {
		c, err := l.Accept(ctx)
		if err != nil {
			return
		}
		defer c.Close()
		HTTPEcho(ctx, c)
	}()
	body := strings.Repeat("posted data ", 10000)
	out, err = exec.CommandContext(ctx, curl, "-sS", "--data-binary", body, "http://"+l.Addr().NetAddr()+"/post").CombinedOutput()
	if err != nil {
		t.Fatalf("curl POST: %v\n%.300s", err, out)
	}
	if !strings.HasPrefix(string(out), "POST /post HTTP/1.1\r\n") || !strings.HasSuffix(string(out), "\r\n\r\n"+body) {
		t.Fatalf("curl POST got:\n%.300s", out)
	}
}

// inProcNetUnix reports whether /proc/net/unix lists a socket bound to a (listening, if asked).
func inProcNetUnix(a Addr, listening bool) bool {
	b, _ := os.ReadFile("/proc/net/unix")
	name := a.Path
	if a.Abstract {
		name = "@" + a.Path
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		// Num RefCount Protocol Flags Type St Inode Path; Flags 00010000 = __SO_ACCEPTCON
		if len(f) >= 8 && f[7] == name && (!listening || f[3] == "00010000") {
			return true
		}
	}
	return false
}
