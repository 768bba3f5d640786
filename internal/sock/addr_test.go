//go:build linux

package sock

import (
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestParseAddr(t *testing.T) {
	tests := []struct {
		in   string
		want Addr
		net  string // NetAddr()
	}{
		{"unix:/tmp/a.sock", Addr{Kind: Unix, Path: "/tmp/a.sock"}, "/tmp/a.sock"},
		{"unix:rel/a.sock", Addr{Kind: Unix, Path: "rel/a.sock"}, "rel/a.sock"},
		{"unix:@abs", Addr{Kind: Unix, Path: "abs", Abstract: true}, "@abs"},
		{"unix-dgram:/run/x", Addr{Kind: UnixDgram, Path: "/run/x"}, "/run/x"},
		{"unix-dgram:@d", Addr{Kind: UnixDgram, Path: "d", Abstract: true}, "@d"},
		{"unix-seqpacket:/s", Addr{Kind: UnixSeqpacket, Path: "/s"}, "/s"},
		{"tcp:127.0.0.1:8080", Addr{Kind: TCP, Host: "127.0.0.1", Port: 8080}, "127.0.0.1:8080"},
		{"tcp:localhost:0", Addr{Kind: TCP, Host: "localhost", Port: 0}, "localhost:0"},
		{"tcp::80", Addr{Kind: TCP, Host: "", Port: 80}, ":80"},
		{"tcp:[::1]:65535", Addr{Kind: TCP, Host: "::1", Port: 65535}, "[::1]:65535"},
		{"tcp:[0:0::1]:1", Addr{Kind: TCP, Host: "::1", Port: 1}, "[::1]:1"},
		{"udp:127.0.0.1:53", Addr{Kind: UDP, Host: "127.0.0.1", Port: 53}, "127.0.0.1:53"},
		{"udp:[::]:0", Addr{Kind: UDP, Host: "::", Port: 0}, "[::]:0"},
		{"tcp:[fe80::1%eth0]:80", Addr{Kind: TCP, Host: "fe80::1%eth0", Port: 80}, "[fe80::1%eth0]:80"},
		{"udp:[FE80:0::1%lo]:0", Addr{Kind: UDP, Host: "fe80::1%lo", Port: 0}, "[fe80::1%lo]:0"},
		{"unix:@" + strings.Repeat("a", SunPathMax), Addr{Kind: Unix, Path: strings.Repeat("a", SunPathMax), Abstract: true}, "@" + strings.Repeat("a", SunPathMax)},
	}
	for _, tt := range tests {
		got, err := ParseAddr(tt.in)
		if err != nil {
			t.Errorf("ParseAddr(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseAddr(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if n := got.NetAddr(); n != tt.net {
			t.Errorf("ParseAddr(%q).NetAddr() = %q, want %q", tt.in, n, tt.net)
		}
		if again, err := ParseAddr(got.String()); err != nil || again != got {
			t.Errorf("round trip of %q via %q = %+v, %v", tt.in, got.String(), again, err)
		}
	}
}

func TestParseAddrErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", "no scheme"},
		{"/tmp/sock", "did you mean unix:/tmp/sock"},
		{"sctp:1.2.3.4:5", "unknown scheme"},
		{"unix:", "no path"},
		{"unix:@", "no abstract name"},
		{"unix:/a\x00b", "NUL"},
		{"unix:/" + strings.Repeat("a", SunPathMax), "limit is 107"},
		{"tcp:127.0.0.1", "needs HOST:PORT"},
		{"tcp:8080", "needs HOST:PORT"},
		{"tcp:127.0.0.1:", "no port"},
		{"tcp:127.0.0.1:65536", "not a number"},
		{"tcp:127.0.0.1:-1", "not a number"},
		{"tcp:127.0.0.1:+1", "not a number"},
		{"tcp:127.0.0.1:080", "not a number"},
		{"tcp:127.0.0.1:http", "not a number"},
		{"tcp:::1:80", "in brackets"},
		{"tcp:[::1:80", "no closing ]"},
		{"tcp:[::1]80", "needs :PORT"},
		{"tcp:[127.0.0.1]:80", "not an IPv6 address"},
		{"tcp:[fe80::1%]:80", "no valid zone"},
		{"tcp:[fe80::1%a b]:80", "no valid zone"},
		{"tcp:[1.2.3.4%lo]:80", "not an IPv6 address"},
		{"tcp:a:b:80", "IPv6 address goes in brackets"},
		{"tcp:[::1]:", "no port"},
		{"udp:a b:1", "not a host name"},
	}
	for _, tt := range tests {
		_, err := ParseAddr(tt.in)
		if err == nil {
			t.Errorf("ParseAddr(%q) succeeded, want an error containing %q", tt.in, tt.msg)
			continue
		}
		if !errors.Is(err, ErrBadAddr) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseAddr(%q) = %v, want ErrBadAddr containing %q", tt.in, err, tt.msg)
		}
	}
}

// suggested finds the addresses an error suggests: "did you mean ADDR?", "as ADDR" at its end.
var suggested = regexp.MustCompile(`(?s)(?:did you mean (.*)\?\)$|, as (.*)$)`)

func FuzzParseAddr(f *testing.F) {
	for _, s := range []string{"tcp:[fe80::1%lo]:0", "/a\x00b", "tcp:a:b:1", "tcp:::1:80", "unix:/tmp/a", "unix:@x", "unix-dgram:/d", "unix-seqpacket:@s",
		"tcp:127.0.0.1:80", "tcp:[::1]:0", "udp::53", "tcp:localhost:1", "tcp:[::ffff:1.2.3.4]:1", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddr(s)
		if err != nil {
			if !errors.Is(err, ErrBadAddr) {
				t.Fatalf("ParseAddr(%q) error %v does not wrap ErrBadAddr", s, err)
			}
			// an address the error suggests parses
			msg := err.Error()
			for _, m := range suggested.FindAllStringSubmatch(msg, -1) {
				if _, err := ParseAddr(m[1] + m[2]); err != nil {
					t.Fatalf("ParseAddr(%q): %q suggests %q, which is refused: %v", s, msg, m[1]+m[2], err)
				}
			}
			return
		}
		if a.Kind.IsUnix() && (a.Path == "" || len(a.Path) > SunPathMax) {
			t.Fatalf("ParseAddr(%q) = %+v: bad path length", s, a)
		}
		if !a.Kind.IsUnix() && (a.Port < 0 || a.Port > 65535) {
			t.Fatalf("ParseAddr(%q) = %+v: bad port", s, a)
		}
		b, err := ParseAddr(a.String())
		if err != nil || b != a {
			t.Fatalf("round trip %q -> %q -> %+v, %v; want %+v", s, a.String(), b, err, a)
		}
	})
}

// TestUnixAddrLimit: a path or abstract name of SunPathMax (107) bytes is accepted and really
// binds, for every UNIX kind; 108 bytes is refused with a TooLongError.
func TestUnixAddrLimit(t *testing.T) {
	if SunPathMax != 107 {
		t.Fatalf("SunPathMax = %d, want 107 (sun_path is 108 bytes with its NUL)", SunPathMax)
	}
	dir := t.TempDir()
	pad := func(prefix string, n int) string { return prefix + strings.Repeat("p", n-len(prefix)) }
	for _, kind := range []string{"unix", "unix-dgram", "unix-seqpacket"} {
		path := pad(filepath.Join(dir, kind)+"-", 107)
		abs := pad(abstractName(t)+"-"+kind+"-", 107)
		for _, s := range []string{kind + ":" + path, kind + ":@" + abs} {
			l, err := Listen(mustParse(t, s), 0o600)
			if err != nil {
				t.Fatalf("listen on a 107-byte address %s: %v", s, err)
			}
			c, err := Dial(testCtx(t), l.Addr())
			if err != nil {
				t.Fatalf("connect to a 107-byte address %s: %v", s, err)
			}
			c.Close()
			l.Close()
		}
		for _, s := range []string{kind + ":" + path + "x", kind + ":@" + abs + "x"} {
			var long *TooLongError
			if _, err := ParseAddr(s); !errors.As(err, &long) || long.Len != 108 || !errors.Is(err, ErrBadAddr) {
				t.Fatalf("ParseAddr of a 108-byte address: %v, want a TooLongError of 108 bytes", err)
			}
		}
	}
}
