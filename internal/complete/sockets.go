//go:build linux

package complete

import (
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/sock"
)

// SocketAddrs are the socket addresses that start with prefix. Before the scheme's colon they are
// the schemes as words to go on typing (unix:, unix:@, unix-dgram:, …, tcp:, udp:; NoSpace);
// after a UNIX scheme the socket files (and directories) of the path typed so far. With peers
// (an address to connect or send to), the sockets that listen now are offered too: after
// unix:@ the abstract names, after tcp: or udp: the local addresses (a wildcard one as the
// loopback address that reaches it), described by the processes that hold them.
func SocketAddrs(prefix string, peers bool) Result {
	scheme, rest, ok := strings.Cut(prefix, ":")
	if !ok {
		var r Result
		for k := sock.Unix; k <= sock.UDP; k++ {
			words := []string{k.String() + ":"}
			if k.IsUnix() {
				words = append(words, k.String()+":@")
			}
			for _, w := range words {
				if strings.HasPrefix(w, prefix) {
					r.Candidates = append(r.Candidates, Candidate{Value: w, Description: schemeDescription(k, strings.HasSuffix(w, "@"))})
				}
			}
		}
		r.NoSpace = true
		return r
	}
	kind := sock.Kind(0)
	for k := sock.Unix; k <= sock.UDP; k++ {
		if k.String() == scheme {
			kind = k
		}
	}
	if kind == 0 {
		return Result{}
	}
	var r Result
	if kind.IsUnix() && !strings.HasPrefix(rest, "@") {
		r = Files(rest, Socket)
		for i := range r.Candidates {
			r.Candidates[i].Value = scheme + ":" + r.Candidates[i].Value
		}
	}
	if !peers || (kind.IsUnix() && rest != "" && !strings.HasPrefix(rest, "@")) {
		return r
	}
	f := sock.Filter{Listening: true, Unix: kind.IsUnix(), TCP: kind == sock.TCP, UDP: kind == sock.UDP}
	socks, err := sock.List(f)
	if err != nil {
		return r
	}
	seen := map[string]bool{}
	for _, s := range socks {
		if s.Kind != kind || s.Local == "" || (kind.IsUnix() && !strings.HasPrefix(s.Local, "@")) {
			continue
		}
		v := scheme + ":" + reachable(s.Local)
		if !strings.HasPrefix(v, prefix) || seen[v] {
			continue
		}
		seen[v] = true
		r.Candidates = append(r.Candidates, Candidate{Value: v, Description: holders(s)})
	}
	return r
}

// reachable is a local address as a peer connects to it: a wildcard address by the loopback one.
func reachable(local string) string {
	if p, ok := strings.CutPrefix(local, "0.0.0.0:"); ok {
		return "127.0.0.1:" + p
	}
	if p, ok := strings.CutPrefix(local, "[::]:"); ok {
		return "[::1]:" + p
	}
	return local
}

// holders describes a listening socket by its processes (pid/command), as sock ls shows them.
func holders(s sock.Socket) string {
	var parts []string
	for _, p := range s.Procs {
		parts = append(parts, strconv.Itoa(p.PID)+"/"+p.Command)
	}
	d := s.State
	if len(parts) > 0 {
		d += " " + strings.Join(parts, ",")
	}
	return d
}

func schemeDescription(k sock.Kind, abstract bool) string {
	d := map[sock.Kind]string{
		sock.Unix: "UNIX stream socket", sock.UnixDgram: "UNIX datagram socket",
		sock.UnixSeqpacket: "UNIX seqpacket socket", sock.TCP: "TCP", sock.UDP: "UDP",
	}[k]
	switch {
	case abstract:
		return d + ", abstract name"
	case k.IsUnix():
		return d + ", file"
	}
	return d + " HOST:PORT"
}
