//go:build linux

package sock

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/escape"
)

// Kind is the socket family and type an address names.
type Kind int

// The kinds of socket ipcx speaks.
const (
	Unix          Kind = iota + 1 // AF_UNIX, SOCK_STREAM: "unix:"
	UnixDgram                     // AF_UNIX, SOCK_DGRAM: "unix-dgram:"
	UnixSeqpacket                 // AF_UNIX, SOCK_SEQPACKET: "unix-seqpacket:"
	TCP                           // AF_INET or AF_INET6, SOCK_STREAM: "tcp:"
	UDP                           // AF_INET or AF_INET6, SOCK_DGRAM: "udp:"
)

var schemes = []struct {
	prefix string
	kind   Kind
	net    string // the network name of Go's net package
}{
	{"unix-seqpacket", UnixSeqpacket, "unixpacket"},
	{"unix-dgram", UnixDgram, "unixgram"},
	{"unix", Unix, "unix"},
	{"tcp", TCP, "tcp"},
	{"udp", UDP, "udp"},
}

// String returns the scheme of the kind, as written in an address.
func (k Kind) String() string {
	for _, s := range schemes {
		if s.kind == k {
			return s.prefix
		}
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Network returns the name Go's net package uses for the kind.
func (k Kind) Network() string {
	for _, s := range schemes {
		if s.kind == k {
			return s.net
		}
	}
	return ""
}

// IsUnix reports whether the kind is an AF_UNIX socket.
func (k Kind) IsUnix() bool { return k == Unix || k == UnixDgram || k == UnixSeqpacket }

// IsDatagram reports whether the kind keeps message boundaries without a connection (SOCK_DGRAM).
func (k Kind) IsDatagram() bool { return k == UnixDgram || k == UDP }

// SunPathMax is the longest UNIX socket path (or abstract name, without its '@') that fits in
// sockaddr_un.sun_path with room for the terminating NUL.
const SunPathMax = 107

// ErrBadAddr is wrapped by every address-parsing error.
var ErrBadAddr = errors.New("invalid socket address")

// TooLongError is the error of a UNIX socket path or abstract name longer than SunPathMax. It
// wraps ErrBadAddr.
type TooLongError struct {
	Kind     Kind
	Abstract bool
	Len      int // bytes, without the '@' of an abstract name
}

func (e *TooLongError) Error() string {
	what := "path"
	if e.Abstract {
		what = "abstract name"
	}
	return fmt.Sprintf("%v: the %s of a %s address is %d bytes long, the limit is %d", ErrBadAddr, what, e.Kind, e.Len, SunPathMax)
}

func (e *TooLongError) Unwrap() error { return ErrBadAddr }

// Addr is a parsed socket address.
type Addr struct {
	Kind Kind
	// Path is the file of a UNIX socket, or its abstract name without the leading '@'.
	Path     string
	Abstract bool
	// Host is an IP address or a host name; empty means every local address (listen only).
	Host string
	Port int
}

// String formats a in the grammar ParseAddr reads; ParseAddr(a.String()) == a.
func (a Addr) String() string {
	if a.Kind.IsUnix() {
		if a.Abstract {
			return a.Kind.String() + ":@" + a.Path
		}
		return a.Kind.String() + ":" + a.Path
	}
	host := a.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return a.Kind.String() + ":" + host + ":" + strconv.Itoa(a.Port)
}

// NetAddr returns the address in the form Go's net package dials and listens on.
func (a Addr) NetAddr() string {
	if a.Kind.IsUnix() {
		if a.Abstract {
			return "@" + a.Path
		}
		return a.Path
	}
	return net.JoinHostPort(a.Host, strconv.Itoa(a.Port))
}

// ParseAddr parses a socket address:
//
//	unix:/path  unix:@abstract  unix-dgram:…  unix-seqpacket:…
//	tcp:HOST:PORT  udp:HOST:PORT  tcp:[::1]:PORT  tcp::PORT (every local address)
//	tcp:[fe80::1%eth0]:PORT (a link-local address on an interface)
//
// Port 0 asks the kernel to pick a free port when listening.
func ParseAddr(s string) (Addr, error) {
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		if (strings.HasPrefix(s, "/") || strings.HasPrefix(s, ".")) && parses("unix:"+s) {
			return Addr{}, fmt.Errorf("%w: %q has no scheme (did you mean unix:%s?)", ErrBadAddr, s, s)
		}
		return Addr{}, fmt.Errorf("%w: %q has no scheme (want unix:, unix-dgram:, unix-seqpacket:, tcp: or udp:)", ErrBadAddr, s)
	}
	var kind Kind
	for _, sc := range schemes {
		if sc.prefix == scheme {
			kind = sc.kind
		}
	}
	if kind == 0 {
		return Addr{}, fmt.Errorf("%w: unknown scheme %q (want unix, unix-dgram, unix-seqpacket, tcp or udp)", ErrBadAddr, scheme)
	}
	if kind.IsUnix() {
		return parseUnix(kind, rest)
	}
	return parseInet(kind, rest)
}

func parseUnix(kind Kind, rest string) (Addr, error) {
	a := Addr{Kind: kind}
	if strings.HasPrefix(rest, "@") {
		a.Abstract = true
		rest = rest[1:]
		if rest == "" {
			return Addr{}, fmt.Errorf("%w: %s:@ has no abstract name", ErrBadAddr, kind)
		}
	} else if rest == "" {
		return Addr{}, fmt.Errorf("%w: %s: has no path", ErrBadAddr, kind)
	}
	if strings.IndexByte(rest, 0) >= 0 {
		return Addr{}, fmt.Errorf("%w: %s address contains a NUL byte", ErrBadAddr, kind)
	}
	if len(rest) > SunPathMax {
		return Addr{}, &TooLongError{Kind: kind, Abstract: a.Abstract, Len: len(rest)}
	}
	a.Path = rest
	return a, nil
}

func parseInet(kind Kind, rest string) (Addr, error) {
	var host, port string
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return Addr{}, fmt.Errorf("%w: %s:%s has no closing ]", ErrBadAddr, kind, rest)
		}
		host = rest[1:end]
		after := rest[end+1:]
		if !strings.HasPrefix(after, ":") {
			return Addr{}, fmt.Errorf("%w: %s:%s needs :PORT after the ]", ErrBadAddr, kind, rest)
		}
		port = after[1:]
		// a link-local address names its interface: [fe80::1%eth0] (RFC 6874's zone)
		base, zone, zoned := strings.Cut(host, "%")
		ip := net.ParseIP(base)
		if ip == nil || ip.To4() != nil {
			return Addr{}, fmt.Errorf("%w: %q in brackets is not an IPv6 address", ErrBadAddr, host)
		}
		if zoned && (zone == "" || strings.ContainsAny(zone, "[]%/ \t\n\x00")) {
			return Addr{}, fmt.Errorf("%w: %q in brackets has no valid zone after %% (an interface: [fe80::1%%eth0])", ErrBadAddr, host)
		}
		host = ip.String()
		if zoned {
			host += "%" + zone
		}
	} else {
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			return Addr{}, fmt.Errorf("%w: %s:%s needs HOST:PORT (for example %s:127.0.0.1:8080)", ErrBadAddr, kind, rest, kind)
		}
		host, port = rest[:i], rest[i+1:]
		if strings.Contains(host, ":") {
			if try := fmt.Sprintf("%s:[%s]:%s", kind, host, port); parses(try) {
				return Addr{}, fmt.Errorf("%w: write an IPv6 address in brackets, as %s", ErrBadAddr, try)
			}
			return Addr{}, fmt.Errorf("%w: %q is not a host name or address (an IPv6 address goes in brackets: %s:[::1]:8080)", ErrBadAddr, host, kind)
		}
		if strings.ContainsAny(host, "[]%/ \t\x00") {
			return Addr{}, fmt.Errorf("%w: %q is not a host name or address", ErrBadAddr, host)
		}
	}
	if port == "" {
		return Addr{}, fmt.Errorf("%w: %s:%s has no port (use 0 to let the kernel pick one)", ErrBadAddr, kind, rest)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 || port[0] == '+' || port[0] == '-' || (len(port) > 1 && port[0] == '0') {
		return Addr{}, fmt.Errorf("%w: port %q is not a number from 0 to 65535", ErrBadAddr, port)
	}
	if ip := net.ParseIP(host); ip != nil {
		host = ip.String()
	}
	return Addr{Kind: kind, Host: host, Port: n}, nil
}

// parses reports whether s is a socket address, for an error that suggests it: a suggestion
// never is an address that would be refused in turn.
func parses(s string) bool {
	_, err := ParseAddr(s)
	return err == nil
}

// hostOf is the host of an IP address as Addr keeps it: with its zone (fe80::1%eth0).
func hostOf(ip net.IP, zone string) string {
	if zone != "" {
		return ip.String() + "%" + zone
	}
	return ip.String()
}

// FromNet converts an address reported by Go's net package back into an Addr of kind k.
func FromNet(k Kind, na net.Addr) Addr {
	switch v := na.(type) {
	case *net.UnixAddr:
		a := Addr{Kind: k, Path: v.Name}
		if strings.HasPrefix(v.Name, "@") {
			a.Path, a.Abstract = v.Name[1:], true
		}
		return a
	case *net.TCPAddr:
		return Addr{Kind: k, Host: hostOf(v.IP, v.Zone), Port: v.Port}
	case *net.UDPAddr:
		return Addr{Kind: k, Host: hostOf(v.IP, v.Zone), Port: v.Port}
	}
	return Addr{Kind: k}
}

// Printable returns s with every byte or character that a terminal would not show as itself
// escaped, as ipcx writes every name (package escape): \x00 for a NUL inside an abstract name,
// \x1b for an escape (so a socket name cannot move the cursor or recolour the terminal of whoever
// lists it), \u2028 for an invisible Unicode character, and a backslash doubled so the escapes
// stay unambiguous. Printable text, spaces included, is kept as it is.
func Printable(s string) string { return escape.Name(s) }
