//go:build linux

package sock

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func find(socks []Socket, k Kind, local, state string) *Socket {
	for i := range socks {
		if socks[i].Kind == k && socks[i].Local == local && socks[i].State == state {
			return &socks[i]
		}
	}
	return nil
}

func ownedByUs(s *Socket) bool {
	for _, p := range s.Procs {
		if p.PID == os.Getpid() {
			return true
		}
	}
	return false
}

func TestList(t *testing.T) {
	ctx := testCtx(t)
	path := filepath.Join(t.TempDir(), "ls.sock")
	abs := abstractName(t)
	ul := listen(t, "unix:"+path)
	listen(t, "unix-dgram:@"+abs)
	tl := listen(t, "tcp:127.0.0.1:0")
	t6 := listen(t, "tcp:[::1]:0")
	udp := listen(t, "udp:127.0.0.1:0")

	// a connection with 5 unread bytes in the server's receive queue
	accepted := make(chan *Conn, 1)
	go func() {
		c, _ := ul.Accept(ctx)
		accepted <- c
	}()
	c, err := Dial(ctx, ul.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("hello"))
	sc := <-accepted
	defer sc.Close()
	time.Sleep(50 * time.Millisecond)

	noDiag := false
	for _, src := range []struct {
		name string
		list func(Filter) ([]Socket, error)
	}{{"sock_diag", listDiag}, {"/proc/net", listProc}} {
		socks, err := src.list(Filter{})
		if err != nil && src.name == "sock_diag" && diagUnderEmulator(t, err) {
			noDiag = true
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", src.name, err)
		}
		want := []struct {
			k            Kind
			local, state string
		}{
			{Unix, path, "LISTEN"},
			{UnixDgram, "@" + abs, "UNCONN"},
			{TCP, tl.Addr().NetAddr(), "LISTEN"},
			{TCP, t6.Addr().NetAddr(), "LISTEN"},
			{UDP, udp.Addr().NetAddr(), "UNCONN"},
			{Unix, path, "ESTAB"}, // the accepted end carries the listener's name
		}
		for _, w := range want {
			if find(socks, w.k, w.local, w.state) == nil {
				t.Errorf("%s: no %s %s %s in %+v", src.name, w.k, w.local, w.state, socks)
			}
		}
		if src.name == "sock_diag" {
			s := find(socks, Unix, path, "ESTAB")
			if s == nil || s.RecvQ != 5 || s.PeerInode == 0 {
				t.Errorf("sock_diag: accepted socket %+v, want RecvQ 5 and a peer", s)
			}
		}
	}

	socks, err := List(Filter{TCP: true, Listening: true})
	if err != nil {
		t.Fatal(err)
	}
	s := find(socks, TCP, tl.Addr().NetAddr(), "LISTEN")
	if s == nil || !ownedByUs(s) || s.UID != os.Getuid() {
		t.Fatalf("List(tcp, listening): %+v, want our listener owned by pid %d", s, os.Getpid())
	}
	for _, s := range socks {
		if s.Kind != TCP || s.State != "LISTEN" {
			t.Fatalf("filter let %+v through", s)
		}
	}
	socks, _ = List(Filter{Unix: true})
	if s := find(socks, Unix, path, "LISTEN"); s == nil || !ownedByUs(s) {
		t.Fatalf("unix listener %+v not owned by us", s)
	}
	if noDiag {
		return // a client's peer is resolved through sock_diag alone
	}
	// the client end: unnamed, its peer resolved to the server's name
	var client *Socket
	for i := range socks {
		if socks[i].Kind == Unix && socks[i].Local == "" && socks[i].Peer == path {
			client = &socks[i]
		}
	}
	if client == nil || !ownedByUs(client) {
		t.Fatalf("no client socket with peer %s", path)
	}
}

func TestParseProcNet(t *testing.T) {
	unixText := `Num       RefCount Protocol Flags    Type St Inode Path
0000000000000000: 00000002 00000000 00010000 0001 01 21001 /run/a b.sock
0000000000000000: 00000002 00000000 00000000 0002 01 21002 @abs
0000000000000000: 00000003 00000000 00000000 0001 03 21003
0000000000000000: 00000002 00000000 00000000 0005 01 21004 /s
`
	got := parseProcNetUnix(unixText)
	want := []Socket{
		{Kind: Unix, State: "LISTEN", Local: "/run/a b.sock", Inode: 21001},
		{Kind: UnixDgram, State: "UNCONN", Local: "@abs", Inode: 21002},
		{Kind: Unix, State: "ESTAB", Inode: 21003},
		{Kind: UnixSeqpacket, State: "UNCONN", Local: "/s", Inode: 21004},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d sockets: %+v", len(got), got)
	}
	for i := range want {
		g := got[i]
		if g.Kind != want[i].Kind || g.State != want[i].State || g.Local != want[i].Local || g.Inode != want[i].Inode {
			t.Errorf("unix line %d: %+v, want %+v", i, g, want[i])
		}
	}
	tcpText := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000  1000        0 3001 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 0000000A:00000000 00:00000000 00000000     0        0 3002 1 0000000000000000 20 4 30 10 -1
`
	ins := parseProcNetInet(TCP, tcpText)
	if len(ins) != 2 || ins[0].Local != "127.0.0.1:8080" || ins[0].State != "LISTEN" || ins[0].RecvQ != 3 || ins[0].UID != 1000 || ins[0].Peer != "" ||
		ins[1].Peer != "127.0.0.1:50000" || ins[1].State != "ESTAB" || ins[1].SendQ != 10 || ins[1].Inode != 3002 {
		t.Fatalf("tcp: %+v", ins)
	}
	tcp6Text := `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4001 1 0000000000000000 100 0 0 10 0
`
	ins = parseProcNetInet(TCP, tcp6Text)
	if len(ins) != 1 || ins[0].Local != "[::1]:80" {
		t.Fatalf("tcp6: %+v", ins)
	}
}

func FuzzParseProcNet(f *testing.F) {
	f.Add("h\n0000000000000000: 00000002 00000000 00010000 0001 01 21001 /run/a\n")
	f.Add("h\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000  1000 0 3001 1\n")
	f.Fuzz(func(t *testing.T, s string) {
		parseProcNetUnix(s)
		parseProcNetInet(TCP, s)
	})
}

// TestListEscapesNames: an abstract name is any bytes, chosen by whoever binds it; listing it
// must not send its NULs or escape sequences to the terminal. Both sources escape them.
func TestListEscapesNames(t *testing.T) {
	uniq := abstractName(t)
	name := "ipcx-\x00-\x1b[31mred\x1b[0m-\\-" + uniq
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: "\x00" + name}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 1); err != nil {
		t.Fatal(err)
	}
	want := `@ipcx-\x00-\x1b[31mred\x1b[0m-\\-` + uniq
	for _, src := range []struct {
		name string
		list func(Filter) ([]Socket, error)
	}{{"sock_diag", listDiag}, {"/proc/net", listProc}} {
		socks, err := src.list(Filter{Unix: true})
		if err != nil && src.name == "sock_diag" && diagUnderEmulator(t, err) {
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", src.name, err)
		}
		found := false
		for _, s := range socks {
			if strings.ContainsAny(s.Local, "\x00\x1b") {
				t.Errorf("%s: raw control bytes in %q", src.name, s.Local)
			}
			found = found || s.Local == want
		}
		// /proc/net/unix shows a NUL as '@': the name is what the kernel wrote, still escaped
		procWant := strings.Replace(want, `\x00`, "@", 1)
		if !found && !(src.name == "/proc/net" && find(socks, Unix, procWant, "LISTEN") != nil) {
			t.Errorf("%s: no listener named %q", src.name, want)
		}
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"/run/app.sock":    "/run/app.sock",
		"a b":              "a b",
		"caf\u00e9":        "caf\u00e9",
		"\x00x":            `\x00x`,
		"\x1b[2J":          `\x1b[2J`,
		"back\\slash":      `back\\slash`,
		"line\nbreak\tx":   `line\x0abreak\x09x`,
		"bad\xffutf8":      `bad\xffutf8`,
		"\u2028sep\u00ad":  `\u2028sep\u00ad`,
		"\U000e0001tagged": `\U000e0001tagged`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestListEscapesCommands: a process's command name is its executable's file name, which may hold
// an escape sequence; the owners of a socket are listed with it escaped.
func TestListEscapesCommands(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "\x1b[31mslp")
	if err := os.Symlink(sleep, bin); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: "@" + abstractName(t)}); err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "socket")
	defer f.Close()
	cmd := exec.Command(bin, "30")
	cmd.ExtraFiles = []*os.File{f}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	want := `\x1b[31mslp`
	for i := 0; ; i++ {
		socks, err := List(Filter{Unix: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range socks {
			for _, p := range s.Procs {
				if strings.ContainsRune(p.Command, 0x1b) {
					t.Fatalf("raw escape in the command %q", p.Command)
				}
				if p.PID == cmd.Process.Pid && p.Command == want {
					return
				}
			}
		}
		if i > 100 {
			t.Fatalf("no socket held by pid %d named %q", cmd.Process.Pid, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestListNoPeerFromTimeWait: sockets in TIME-WAIT have inode 0, as a listener has peer inode 0;
// a listener must not be shown with a TIME-WAIT socket's address as its peer.
func TestListNoPeerFromTimeWait(t *testing.T) {
	ctx := testCtx(t)
	tl := listen(t, "tcp:127.0.0.1:0")
	ul := listen(t, "unix:"+filepath.Join(t.TempDir(), "tw.sock"))

	// a TCP connection closed by the client first: the client's end stays in TIME-WAIT
	accepted := make(chan *Conn, 1)
	go func() {
		c, _ := tl.Accept(ctx)
		accepted <- c
	}()
	c, err := Dial(ctx, tl.Addr())
	if err != nil {
		t.Fatal(err)
	}
	client := c.LocalAddr().String()
	sc := <-accepted
	if sc == nil {
		t.Fatal("accept failed")
	}
	c.Close()
	time.Sleep(50 * time.Millisecond)
	sc.Close()

	deadline := time.Now().Add(5 * time.Second)
	for {
		socks, err := List(Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if find(socks, TCP, client, "TIME-WAIT") == nil {
			if time.Now().After(deadline) {
				t.Fatalf("no TIME-WAIT socket %s in %+v", client, socks)
			}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		for _, w := range []struct {
			k     Kind
			local string
		}{{TCP, tl.Addr().NetAddr()}, {Unix, ul.Addr().Path}} {
			s := find(socks, w.k, w.local, "LISTEN")
			if s == nil {
				t.Fatalf("no %s listener %s", w.k, w.local)
			}
			if s.Peer != "" {
				t.Errorf("%s listener %s has peer %q, want none", w.k, w.local, s.Peer)
			}
		}
		return
	}
}
