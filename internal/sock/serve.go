//go:build linux

package sock

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Echo sends everything c receives back to it until c's peer shuts down its write side, then
// shuts down its own. It returns the number of bytes echoed.
func Echo(ctx context.Context, c *Conn) (int64, error) { return echo(ctx, c, nil) }

// echo is Echo adding the bytes echoed to count (when not nil) as they go.
func echo(ctx context.Context, c *Conn, count *atomic.Int64) (int64, error) {
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(aLongTimeAgo) })
	defer stop()
	var n int64
	var err error
	if c.Kind == UnixSeqpacket {
		var own atomic.Int64
		err = copyMessagesOut(c, c, &own)
		n = own.Load()
		if count != nil {
			count.Add(n)
		}
	} else {
		n, err = Copy(c, c, count)
	}
	if err != nil && !isPeerGone(err) {
		if ctx.Err() != nil {
			return n, ctxErr(ctx)
		}
		return n, fmt.Errorf("echo to %s: %w", c.Peer.Addr, bareErrno(err))
	}
	return n, c.CloseWrite()
}

// MaxHTTPRequest bounds the request (head and body) HTTPEcho reads and echoes.
const MaxHTTPRequest = 1 << 20

// HTTPEcho answers one HTTP request the way the classic HTTP echo server does: it reads the
// request head (up to the empty line) and the body its Content-Length announces, at most
// MaxHTTPRequest bytes in all, and replies with a valid HTTP/1.0 200 response whose text/plain
// body is the request as received; then it shuts down its side and reads what the client may still
// send (for a short while), so that closing does not reset the connection under the client's
// feet. It returns the request.
func HTTPEcho(ctx context.Context, c *Conn) ([]byte, error) {
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(aLongTimeAgo) })
	defer stop()
	req := make([]byte, 0, 4096)
	buf := make([]byte, 32<<10)
	want := -1 // the request's full length, once the head is in
	for want < 0 || len(req) < want {
		if want < 0 {
			if end := headEnd(req); end >= 0 {
				want = end + contentLength(req[:end])
				if want > MaxHTTPRequest {
					want = MaxHTTPRequest
				}
				continue
			}
			if len(req) >= MaxHTTPRequest {
				break
			}
		}
		n, err := c.Read(buf[:min(len(buf), MaxHTTPRequest-len(req))])
		req = append(req, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return req, ctxErr(ctx)
			}
			return req, fmt.Errorf("read request from %s: %w", c.Peer.Addr, bareErrno(err))
		}
	}
	if want >= 0 && len(req) > want {
		req = req[:want]
	}
	var resp bytes.Buffer
	resp.WriteString("HTTP/1.0 200 OK\r\n")
	resp.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	resp.WriteString("Content-Length: " + strconv.Itoa(len(req)) + "\r\n")
	resp.WriteString("Connection: close\r\n\r\n")
	resp.Write(req)
	if _, err := c.Write(resp.Bytes()); err != nil && !isPeerGone(err) {
		return req, fmt.Errorf("reply to %s: %w", c.Peer.Addr, bareErrno(err))
	}
	c.CloseWrite()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, c)
	return req, nil
}

// contentLength reads the Content-Length header of a request head (0 when none or invalid).
func contentLength(head []byte) int {
	for _, line := range strings.Split(string(head), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.Atoi(strings.TrimSpace(value))
			if err == nil && n >= 0 {
				return n
			}
		}
	}
	return 0
}

// headEnd returns the length of the request head including its final empty line, or -1.
func headEnd(b []byte) int {
	if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
		return i + 4
	}
	if i := bytes.Index(b, []byte("\n\n")); i >= 0 {
		return i + 2
	}
	return -1
}

// ExecEnv returns the environment variables Exec gives the command about its peer: IPCX_PEER,
// and IPCX_PEER_PID, IPCX_PEER_UID, IPCX_PEER_GID when the peer's credentials are known.
func ExecEnv(p Peer) []string {
	peer := p.Addr.String()
	if p.Addr.Kind.IsUnix() && p.Addr.Path == "" {
		peer = p.Addr.Kind.String() + ":"
	}
	env := []string{"IPCX_PEER=" + peer}
	if p.Cred != nil {
		env = append(env,
			"IPCX_PEER_PID="+strconv.Itoa(p.Cred.PID),
			"IPCX_PEER_UID="+strconv.Itoa(p.Cred.UID),
			"IPCX_PEER_GID="+strconv.Itoa(p.Cred.GID))
	}
	return env
}

// Exec runs argv with the connection as its standard input and output (inetd style) and the
// peer in its environment (ExecEnv), waits for it and returns its exit status (128+N when
// killed by signal N). The connection is closed in this process once the command has it.
func Exec(ctx context.Context, c *Conn, argv []string, stderr io.Writer) (int, error) {
	if len(argv) == 0 {
		return 0, fmt.Errorf("exec: no command: %w", unix.EINVAL)
	}
	fc, ok := c.Conn.(interface{ File() (*os.File, error) })
	if !ok {
		return 0, fmt.Errorf("exec: connection has no file descriptor: %w", unix.EINVAL)
	}
	f, err := fc.File()
	if err != nil {
		return 0, fmt.Errorf("exec: %w", bareErrno(err))
	}
	// The command gets a blocking descriptor, as programs expect of stdin and stdout. The flag
	// belongs to the shared open file, which this process no longer uses.
	if err := unix.SetNonblock(int(f.Fd()), false); err != nil {
		f.Close()
		return 0, fmt.Errorf("exec: %w", err)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = f, f, stderr
	cmd.Env = append(environWithoutPeer(), ExecEnv(c.Peer)...)
	err = cmd.Start()
	f.Close()
	c.Close()
	if err != nil {
		return 0, fmt.Errorf("exec %s: %w", argv[0], err)
	}
	return exitStatus(cmd.Wait())
}

// environWithoutPeer is this process's environment without the IPCX_PEER variables it may have
// inherited (a listener started by another listener's --exec): the command must not take them
// for its own peer's, as a TCP peer, which has no credentials, would have them.
func environWithoutPeer() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "IPCX_PEER=") && !strings.HasPrefix(kv, "IPCX_PEER_") {
			env = append(env, kv)
		}
	}
	return env
}

// exitStatus turns the result of Wait into a shell-style status.
func exitStatus(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal()), nil
		}
		return ee.ExitCode(), nil
	}
	return 0, err
}
