//go:build linux

package complete

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/ipcx/ipcx/internal/sysv"
	"github.com/ipcx/ipcx/internal/testns"
)

func TestMain(m *testing.M) { testns.Main(m) }

func values(r Result) []string {
	var out []string
	for _, c := range r.Candidates {
		out = append(out, c.Value)
	}
	return out
}

func TestValues(t *testing.T) {
	kinds := []string{"mq", "sem", "shm"}
	for _, tc := range []struct {
		prefix  string
		list    bool
		want    []string
		noSpace bool
	}{
		{"", false, kinds, false},
		{"s", false, []string{"sem", "shm"}, false},
		{"x", false, nil, false},
		{"", true, kinds, true},
		{"mq,", true, []string{"mq,sem", "mq,shm"}, true},
		{"mq,sem,", true, []string{"mq,sem,shm"}, false}, // the last value: the list is complete
		{"mq,sem,s", true, []string{"mq,sem,shm"}, false},
		{"mq,", false, nil, false}, // not a list: a comma is part of the value
	} {
		r := Values(kinds, tc.prefix, tc.list)
		if !slices.Equal(values(r), tc.want) || r.NoSpace != tc.noSpace {
			t.Errorf("Values(%q, list %v) = %q nospace %v, want %q nospace %v", tc.prefix, tc.list, values(r), r.NoSpace, tc.want, tc.noSpace)
		}
	}
}

func TestSignals(t *testing.T) {
	all := values(Signals("", true))
	// Every signal of sig.List in both forms, and 0.
	if len(all) != 2*len(sig.List())+1 || all[0] != "0" {
		t.Fatalf("Signals(\"\") has %d candidates starting with %q, want %d starting with 0", len(all), all[0], 2*len(sig.List())+1)
	}
	for _, v := range all[1:] {
		if s, err := sig.Parse(v); err != nil || !s.Valid() {
			t.Errorf("candidate %q does not parse as a signal: %v", v, err)
		}
	}
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"TE", []string{"TERM"}},
		{"SIGTE", []string{"SIGTERM"}},
		{"te", []string{"term"}},
		{"sigte", []string{"sigterm"}},
		{"RTMIN+2", []string{"RTMIN+2", "RTMIN+20", "RTMIN+21", "RTMIN+22", "RTMIN+23", "RTMIN+24", "RTMIN+25", "RTMIN+26", "RTMIN+27", "RTMIN+28", "RTMIN+29"}},
		{"SIGRTMIN+30", []string{"SIGRTMIN+30"}},
		{"SIG3", nil}, // glibc's: not offered
		{"NOPE", nil},
	} {
		if got := values(Signals(tc.prefix, false)); !slices.Equal(got, tc.want) {
			t.Errorf("Signals(%q) = %q, want %q", tc.prefix, got, tc.want)
		}
	}
	if slices.Contains(values(Signals("", false)), "0") {
		t.Errorf("Signals without zero offers 0")
	}
}

func TestProcesses(t *testing.T) {
	self := os.Getpid()
	parent := os.Getppid()
	got := Processes("", false)
	found := false
	for _, c := range got.Candidates {
		if c.Value == itoa(self) {
			t.Errorf("the completing process itself (%d) is offered", self)
		}
		if c.Value == itoa(parent) {
			found = true
			comm, _ := os.ReadFile("/proc/" + itoa(parent) + "/comm")
			if c.Description != strings.TrimSpace(string(comm)) {
				t.Errorf("pid %d described %q, want its comm %q", parent, c.Description, comm)
			}
		}
	}
	if !found {
		t.Errorf("the parent %d is not offered: %v", parent, got.Candidates)
	}
	for _, c := range Processes(itoa(parent)[:1], false).Candidates {
		if !strings.HasPrefix(c.Value, itoa(parent)[:1]) {
			t.Errorf("candidate %q does not start with the prefix", c.Value)
		}
	}
	if r := Processes("abc", true); len(r.Candidates) != 0 {
		t.Errorf("Processes(abc) = %v, want none", r.Candidates)
	}
	if r := Processes("-", false); len(r.Candidates) != 0 {
		t.Errorf("Processes(-) without groups = %v, want none", r.Candidates)
	}
	// Groups: every candidate is -PGID of a process that leads its group.
	for _, c := range Processes("-", true).Candidates {
		pgid, err := syscall.Getpgid(atoi(t, c.Value[1:]))
		if err == nil && itoa(pgid) != c.Value[1:] {
			t.Errorf("group candidate %q: process %s is in group %d", c.Value, c.Value[1:], pgid)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"sub", ".hid"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "ff"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plain"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Symlink("ff", filepath.Join(dir, "link"))
	os.Symlink("nowhere", filepath.Join(dir, "dangling"))
	r := Files(dir+"/", FIFO)
	want := []string{dir + "/ff", dir + "/link", dir + "/sub/"}
	if !slices.Equal(values(r), want) || !r.NoSpace {
		t.Errorf("Files(dir/) = %q nospace %v, want %q nospace", values(r), r.NoSpace, want)
	}
	if r := Files(dir+"/f", FIFO); !slices.Equal(values(r), []string{dir + "/ff"}) || r.NoSpace {
		t.Errorf("Files(dir/f) = %q nospace %v, want the FIFO alone with a space", values(r), r.NoSpace)
	}
	if r := Files(dir+"/.", FIFO); !slices.Equal(values(r), []string{dir + "/.hid/"}) {
		t.Errorf("Files(dir/.) = %q, want the hidden directory", values(r))
	}
	if r := Files(dir+"/", Socket); !slices.Equal(values(r), []string{dir + "/sub/"}) {
		t.Errorf("Files(dir/, Socket) = %q, want only the directory", values(r))
	}
	if r := Files(dir+"/none/", FIFO); len(r.Candidates) != 0 {
		t.Errorf("Files of a missing directory = %q", values(r))
	}
	// Relative to the working directory, without ./
	t.Chdir(dir)
	if r := Files("f", FIFO); !slices.Equal(values(r), []string{"ff"}) {
		t.Errorf("Files(f) = %q, want ff", values(r))
	}
}

func TestSocketAddrs(t *testing.T) {
	r := SocketAddrs("", true)
	want := []string{"unix:", "unix:@", "unix-dgram:", "unix-dgram:@", "unix-seqpacket:", "unix-seqpacket:@", "tcp:", "udp:"}
	if !slices.Equal(values(r), want) || !r.NoSpace {
		t.Errorf("SocketAddrs(\"\") = %q nospace %v, want %q nospace", values(r), r.NoSpace, want)
	}
	if got := values(SocketAddrs("u", true)); slices.Contains(got, "tcp:") || !slices.Contains(got, "udp:") {
		t.Errorf("SocketAddrs(u) = %q", got)
	}
	if r := SocketAddrs("bogus:x", true); len(r.Candidates) != 0 {
		t.Errorf("an unknown scheme completes %q", values(r))
	}
	if got := reachable("0.0.0.0:80"); got != "127.0.0.1:80" {
		t.Errorf("reachable(0.0.0.0:80) = %q", got)
	}
	if got := reachable("[::]:80"); got != "[::1]:80" {
		t.Errorf("reachable([::]:80) = %q", got)
	}
}

// TestObjects lists real objects of each kind and flavor in the test's private IPC namespace.
func TestObjects(t *testing.T) {
	mq, err := posix.MqOpen("/cjobs", syscall.O_CREAT|syscall.O_RDWR, 0o600, &posix.MqAttr{MaxMsg: 1, MsgSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	mq.Close()
	t.Cleanup(func() { posix.MqUnlink("/cjobs") })
	qid, err := sysv.MsgGet(0x1a2b, sysv.Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sysv.MsgRemove(qid) })
	sid, err := sysv.SemGet(0x1a2c, 2, sysv.Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sysv.SemRemove(sid) })
	priv, err := sysv.MsgGet(sysv.Private, sysv.Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sysv.MsgRemove(priv) })
	id := "id:" + itoa(int(qid))

	objects := func(q ObjectQuery, prefix string) []string {
		t.Helper()
		r, err := Objects(q, prefix)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range r.Candidates {
			if !strings.HasPrefix(c.Value, prefix) {
				t.Errorf("Objects(%q) offers %q", prefix, c.Value)
			}
			if _, err := addr.Parse(c.Value); err != nil {
				t.Errorf("candidate %q is no address: %v", c.Value, err)
			}
		}
		return values(r)
	}
	queues := ObjectQuery{Kinds: []inventory.Kind{ipc.KindQueue}}
	for _, tc := range []struct {
		q      ObjectQuery
		prefix string
		want   []string
	}{
		{queues, "", []string{"0x00001a2b", id, "id:" + itoa(int(priv)), "/cjobs"}},
		{queues, "/", []string{"/cjobs"}},
		{queues, "/cj", []string{"/cjobs"}},
		{queues, "/x", nil},
		{queues, "0x1", []string{"0x1a2b"}},
		{queues, "0x0000", []string{"0x00001a2b"}},
		{queues, "0X1A", []string{"0X1A2B"}},
		{queues, "k", []string{"key:0x00001a2b"}},
		{queues, "key:0x1", []string{"key:0x1a2b"}},
		{queues, "key:6", []string{"key:6699"}},
		{queues, id, []string{id}},
		{queues, "private", nil},
		{ObjectQuery{Kinds: queues.Kinds, POSIXOnly: true}, "", []string{"/cjobs"}},
		{ObjectQuery{Kinds: queues.Kinds, SysVOnly: true}, "/", nil},
		{ObjectQuery{Kinds: []inventory.Kind{ipc.KindSemaphore}}, "0x", []string{"0x00001a2c"}},
	} {
		if got := objects(tc.q, tc.prefix); !slices.Equal(got, tc.want) {
			t.Errorf("Objects(%v, %q) = %q, want %q", tc.q, tc.prefix, got, tc.want)
		}
	}
	r, _ := Objects(ObjectQuery{}, "0x00001a2c")
	if len(r.Candidates) != 1 || r.Candidates[0].Description != "System V semaphore set 0x00001a2c, 2 semaphores" {
		t.Errorf("the set is described %v", r.Candidates)
	}
}

// TestObjectsEscaped: a name that needs escapes is offered as esc:/name, which reads back to it.
func TestObjectsEscaped(t *testing.T) {
	name := "/c\x1b[31m\xff"
	mq, err := posix.MqOpen(name, syscall.O_CREAT|syscall.O_RDWR, 0o600, &posix.MqAttr{MaxMsg: 1, MsgSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	mq.Close()
	t.Cleanup(func() { posix.MqUnlink(name) })
	for _, prefix := range []string{"", "e", "esc:/c"} {
		r, err := Objects(ObjectQuery{}, prefix)
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, c := range r.Candidates {
			if a, err := addr.Parse(c.Value); err == nil && a.Name == name {
				found = append(found, c.Value)
			}
		}
		if len(found) != 1 || !strings.HasPrefix(found[0], addr.EscPrefix) {
			t.Errorf("Objects(%q) offers %q for the name %q, want one esc: address", prefix, found, name)
		}
	}
	// Typed raw, it cannot be offered: the shell would keep only candidates that start with /c.
	if r, _ := Objects(ObjectQuery{}, "/c"); len(r.Candidates) != 0 {
		t.Errorf("Objects(/c) = %q", values(r))
	}
}

// FuzzCompletions: whatever is typed, every candidate starts with it (signals: in any case) and
// nothing panics.
func FuzzCompletions(f *testing.F) {
	for _, s := range []string{"", "/", "0x", "key:", "id:1", "esc:/\\x", "unix:", "unix:@", "tcp:", "mq,", "-", "TE", "sigrt", ",", "a,b,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, prefix string) {
		check := func(what string, r Result, fold bool) {
			for _, c := range r.Candidates {
				v, p := c.Value, prefix
				if fold {
					v, p = strings.ToUpper(v), strings.ToUpper(p)
				}
				if !strings.HasPrefix(v, p) {
					t.Errorf("%s(%q) offers %q", what, prefix, c.Value)
				}
			}
		}
		check("Values", Values([]string{"mq", "sem", "shm"}, prefix, true), false)
		check("Signals", Signals(prefix, true), true)
		check("SocketAddrs", SocketAddrs(prefix, false), false)
		if strings.HasPrefix(prefix, "/") || strings.HasPrefix(prefix, "0x") || strings.HasPrefix(prefix, "id:") || strings.HasPrefix(prefix, "esc:") {
			r, err := Objects(ObjectQuery{}, prefix)
			if err != nil {
				t.Fatal(err)
			}
			check("Objects", r, false)
		}
	})
}
