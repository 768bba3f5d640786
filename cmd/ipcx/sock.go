package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/ipcx/ipcx/internal/failure"

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

// sockVerbs are sock's subcommands (newRootCmdFor builds one alone).
var sockVerbs = []verb{
	{"listen", func(io *iostreams.IOStreams) *cobra.Command { return newSockListenCmd(io, nil) }},
	{"connect", func(io *iostreams.IOStreams) *cobra.Command { return newSockConnectCmd(io, nil) }},
	{"send", func(io *iostreams.IOStreams) *cobra.Command { return newSockSendCmd(io, nil) }},
	{"ls", func(io *iostreams.IOStreams) *cobra.Command { return newSockLsCmd(io, nil) }},
}

// newSockCmd builds sock with its subcommands: all, or the one named only (buildVerbs).
func newSockCmd(io *iostreams.IOStreams, only string) *cobra.Command {
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
	c.AddCommand(buildVerbs(io, sockVerbs, only)...)
	return groupObjects(c)
}

func sockObject(a string) failure.Object {
	return failure.Object{Noun: "sock", What: "socket", Addr: a, Listable: true}
}

// parseSockAddr parses a socket address argument; a malformed one is a usage error.
func parseSockAddr(s string) (sock.Addr, error) {
	a, err := sock.ParseAddr(s)
	var long *sock.TooLongError
	if errors.As(err, &long) {
		if long.Abstract {
			return a, failure.UsageHint("use a shorter name", "sock %s: the abstract name is %d bytes long; a UNIX socket address holds at most %d",
				sock.Printable(s), long.Len, sock.SunPathMax)
		}
		return a, failure.UsageHint(fmt.Sprintf("use a shorter path, or an abstract name: %s:@name", long.Kind),
			"sock %s: the path is %d bytes long; a UNIX socket path holds at most %d", sock.Printable(s), long.Len, sock.SunPathMax)
	}
	if err != nil {
		msg := err.Error()
		var hint string
		if errors.Is(err, sock.ErrBadAddr) {
			hint = "addresses look like unix:/path, unix:@name, tcp:127.0.0.1:8080, udp:[::1]:53"
		}
		return a, failure.UsageHint(hint, "%s", msg)
	}
	return a, nil
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
