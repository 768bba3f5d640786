package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"time"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/sock"
	"github.com/spf13/cobra"
)

const sockAddrHelp = `ADDRESSES
  unix:/path              a UNIX stream socket file
  unix:@name              a UNIX socket in the abstract namespace (no file)
  unix-dgram:…            a UNIX datagram socket (path or @name)
  unix-seqpacket:…        a UNIX seqpacket socket (path or @name)
  tcp:HOST:PORT           TCP; IPv6 in brackets: tcp:[::1]:8080; tcp::PORT is every address
  udp:HOST:PORT           UDP, likewise
Port 0 asks the kernel for a free port when listening; the chosen address is printed.
`

func newSockCmd(io *iostreams.IOStreams) *cobra.Command {
	c := &cobra.Command{
		Use:   "sock",
		Short: "Sockets: listen, connect, send, list (UNIX, TCP, UDP)",
		Long: `Sockets in one grammar: UNIX stream, datagram and seqpacket sockets (files or abstract names),
TCP and UDP over IPv4 and IPv6. listen and connect work like netcat and socat, with a correct
half-close; data moves with splice(2) where both ends allow it.

` + sockAddrHelp + `
` + exitStatusHelp,
		Example: `  $ ipcx sock listen unix:/tmp/app.sock
  $ echo hello | ipcx sock send unix:/tmp/app.sock
  $ ipcx sock listen --keep --http-echo tcp:127.0.0.1:8080
  $ printf 'GET / HTTP/1.0\r\n\r\n' | ipcx sock connect tcp:127.0.0.1:8080
  $ ipcx sock ls --tcp --listening`,
		Args: unknownSubcommand,
		RunE: func(c *cobra.Command, args []string) error { return nil },
	}
	c.AddCommand(
		newSockListenCmd(io, nil),
		newSockConnectCmd(io, nil),
		newSockSendCmd(io, nil),
		newSockLsCmd(io, nil),
	)
	return groupObjects(c)
}

func sockObject(a string) object { return object{noun: "sock", what: "socket", addr: a} }

// parseSockAddr parses a socket address argument; a malformed one is a usage error.
func parseSockAddr(s string) (sock.Addr, error) {
	a, err := sock.ParseAddr(s)
	var long *sock.TooLongError
	if errors.As(err, &long) {
		if long.Abstract {
			return a, usageHint("use a shorter name", "sock %s: the abstract name is %d bytes long; a UNIX socket address holds at most %d",
				sock.Printable(s), long.Len, sock.SunPathMax)
		}
		return a, usageHint(fmt.Sprintf("use a shorter path, or an abstract name: %s:@name", long.Kind),
			"sock %s: the path is %d bytes long; a UNIX socket path holds at most %d", sock.Printable(s), long.Len, sock.SunPathMax)
	}
	if err != nil {
		msg := err.Error()
		var hint string
		if errors.Is(err, sock.ErrBadAddr) {
			hint = "addresses look like unix:/path, unix:@name, tcp:127.0.0.1:8080, udp:[::1]:53"
		}
		return a, usageHint(hint, "%s", msg)
	}
	return a, nil
}

// sockFail explains a socket error.
func sockFail(o object, err error) error {
	if err == nil {
		return nil
	}
	e := &cmdError{code: exitFailure}
	var dns *net.DNSError
	var dse *sock.DatagramSizeError
	var ns *sock.NotSocketError
	var idle *sock.IdleError
	switch {
	case errors.As(err, &dns):
		e.code, e.msg = exitNoObject, fmt.Sprintf("%s: no such host: %s", o, dns.Name)
		if !dns.IsNotFound {
			e.code, e.msg = exitFailure, fmt.Sprintf("%s: cannot look up %s: %s", o, dns.Name, dns.Err)
		}
		e.hint = "use a numeric address such as tcp:127.0.0.1:PORT or tcp:[::1]:PORT"
	case errors.As(err, &idle):
		e.code, e.msg = exitTimeout, fmt.Sprintf("%s: %v", o, idle)
	case errors.As(err, &ns):
		e.msg = fmt.Sprintf("%s: %v", o, notSocketText(ns))
		e.hint = "check the path; a listener (ipcx sock listen) makes the socket file there, never over an existing file"
	case errors.Is(err, sock.ErrRefused):
		e.code, e.msg = exitNoObject, fmt.Sprintf("%s: connection refused: nothing listens there", o)
		e.hint = "see what listens with: ipcx sock ls --listening"
	case errors.Is(err, fs.ErrNotExist):
		e.code, e.msg = exitNoObject, fmt.Sprintf("%s: no such socket file", o)
		e.hint = fmt.Sprintf("start a listener with: ipcx sock listen %s", o.addr)
	case errors.Is(err, sock.ErrAddrInUse):
		e.code, e.msg = exitExists, fmt.Sprintf("%s: address already in use", o)
		e.hint = "see who has it with: ipcx sock ls --listening"
		if a, perr := sock.ParseAddr(o.addr); perr == nil && a.Kind.IsUnix() && !a.Abstract {
			e.hint += " (a leftover socket file is yours to remove)"
		}
	case errors.Is(err, fs.ErrPermission):
		e.msg = fmt.Sprintf("%s: permission denied", o)
		e.hint = "a UNIX socket needs write permission on its file to connect, and on its directory to listen; ports below 1024 need privilege"
	case errors.Is(err, sock.ErrAddrNotLocal):
		e.msg = fmt.Sprintf("%s: not a local address", o)
	case errors.Is(err, sock.ErrWrongType):
		e.msg = fmt.Sprintf("%s: the socket there is of another type (stream, dgram, seqpacket)", o)
	case errors.As(err, &dse):
		size := fmt.Sprintf("%d bytes", dse.Size)
		if dse.More {
			size = "more than " + size
		}
		e.hint = "send it over a stream socket (unix:) instead, or in smaller pieces"
		if dse.Addr.Kind == sock.UDP {
			e.hint = "send it over a stream socket (tcp:) instead, or in smaller pieces"
		}
		switch {
		case dse.Limit < 0:
			e.msg = fmt.Sprintf("%s: the message is %s, too big for one datagram", o, size)
		case dse.Addr.Kind == sock.UDP:
			ipv := "IPv4"
			if dse.Limit > 65507 {
				ipv = "IPv6"
			}
			e.msg = fmt.Sprintf("%s: the message is %s; a UDP datagram over %s holds at most %d", o, size, ipv, dse.Limit)
		default:
			e.msg = fmt.Sprintf("%s: the message is %s; a datagram of this socket holds at most %d (its send buffer, SO_SNDBUF, less 32)", o, size, dse.Limit)
			e.hint += "; the send buffer grows with: sysctl net.core.wmem_default"
		}
	case errors.Is(err, sock.ErrMessageSize):
		e.msg = fmt.Sprintf("%s: message too long for one datagram", o)
	case errors.Is(err, sock.ErrReset):
		e.msg = fmt.Sprintf("%s: connection reset by the peer", o)
	case errors.Is(err, sock.ErrNetUnreach), errors.Is(err, sock.ErrHostUnreach):
		e.msg = fmt.Sprintf("%s: unreachable", o)
	default:
		return streamFail(o, err)
	}
	return e
}

// notSocketText says what a path that is not a socket is: "not a socket (it is a directory)".
func notSocketText(e *sock.NotSocketError) string {
	return fmt.Sprintf("%v (it is %s)", sock.ErrNotSocket, e.Kind)
}

// sockEvent is one line of listen --json: the listening address, then one per connection or
// datagram.
type sockEvent struct {
	Event    string    `json:"event"` // "listening", "connection", "datagram"
	Time     time.Time `json:"time"`
	Address  string    `json:"address,omitempty"` // listening: the bound address
	Peer     string    `json:"peer,omitempty"`    // the peer's address; none for an unbound UNIX socket
	PID      *int      `json:"pid,omitempty"`     // UNIX sockets: the peer's credentials
	UID      *int      `json:"uid,omitempty"`
	GID      *int      `json:"gid,omitempty"`
	BytesIn  *int64    `json:"bytesIn,omitempty"`  // received from the peer
	BytesOut *int64    `json:"bytesOut,omitempty"` // sent to the peer
	Status   *int      `json:"status,omitempty"`   // --exec: the command's exit status
	Data     *string   `json:"data,omitempty"`     // datagram: the payload when it is UTF-8 text
	Data64   string    `json:"dataBase64,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// peerString names a peer in a message: its address, or the pid of an unbound UNIX socket.
func peerString(p sock.Peer) string {
	if p.Addr.Kind.IsUnix() && p.Addr.Path == "" {
		if p.Cred != nil {
			return fmt.Sprintf("pid %d", p.Cred.PID)
		}
		return "an unbound socket"
	}
	return p.Addr.String()
}
