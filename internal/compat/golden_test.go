package compat

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/sysv"
	"golang.org/x/sys/unix"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the output")

// captured is a snapshot as Kernel reads it, captured from a test machine: a queue with a
// message, a queue of an unnamed user, two segments (one marked for removal, one locked), a
// semaphore set, and one POSIX object of each kind.
func captured() *Snapshot {
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	return &Snapshot{
		Objects: []inventory.Object{
			{Kind: inventory.MQ, Flavor: inventory.SysV, Key: 0x1a2b3c4d, ID: 0, Mode: 0o640, Size: 12, Messages: 1, LSPID: 4242,
				STime: at("2026-11-21T14:36:37Z"), CTime: at("2026-11-21T14:30:00Z")},
			{Kind: inventory.MQ, Flavor: inventory.SysV, Key: -5, ID: 32769, Mode: 0o666, UID: 4321, GID: 4321, CUID: 4321, CGID: 4321,
				LRPID: 17, RTime: at("2026-11-21T15:00:01Z"), CTime: at("2026-11-21T14:59:00Z")},
			{Kind: inventory.Shm, Flavor: inventory.SysV, Key: 0x00000000, ID: 5, Mode: 0o600 | sysv.ShmDest, Size: 4096, NAttch: 2, CPID: 100, LPID: 101,
				ATime: at("2026-11-21T14:00:00Z"), CTime: at("2026-11-21T13:00:00Z")},
			{Kind: inventory.Shm, Flavor: inventory.SysV, Key: 0x7f, ID: 6, Mode: 0o644 | sysv.ShmLocked, Size: 1500000, CPID: 102,
				DTime: at("2026-11-21T14:10:00Z"), CTime: at("2026-11-21T13:10:00Z")},
			{Kind: inventory.Sem, Flavor: inventory.SysV, Key: 0x11, ID: 3, Mode: 0o600, Size: 3, OTime: at("2026-11-21T14:20:00Z"), CTime: at("2026-11-21T14:19:00Z")},
			{Kind: inventory.MQ, Flavor: inventory.POSIX, Name: "/jobs", Mode: 0o600, Size: 20, Messages: 2, CTime: at("2026-11-21T12:00:00Z")},
			{Kind: inventory.MQ, Flavor: inventory.POSIX, Name: "/secret", Mode: 0o600, UID: 4321, GID: 4321, Size: -1, Messages: -1, CTime: at("2026-11-21T12:00:00Z")},
			{Kind: inventory.Shm, Flavor: inventory.POSIX, Name: "/buf", Mode: 0o644, Size: 1 << 20, CTime: at("2026-11-21T12:00:00Z")},
			{Kind: inventory.Sem, Flavor: inventory.POSIX, Name: "/lock", Mode: 0o644, Size: 32, CTime: at("2026-11-21T12:00:00Z")},
		},
		Limits:   testLimits,
		Status:   inventory.Status{MsgQueues: 2, MsgHeaders: 1, MsgBytes: 12, ShmSegs: 2, ShmPages: 368, ShmRSS: 1, SemSets: 1, SemSems: 3},
		Detail:   Detail{QBytes: 16384, Sems: []sysv.SemState{{Num: 0, Value: 1, Pid: 4242}, {Num: 1}, {Num: 2, Value: 7, Ncnt: 1}}},
		PageSize: 4096,
		User:     names(map[uint32]string{0: "root"}),
		Group:    names(map[uint32]string{0: "root"}),
		Location: time.UTC,
	}
}

var testLimits = []inventory.Limit{
	{Name: "msgmni", Value: 32000}, {Name: "msgmax", Value: 8192}, {Name: "msgmnb", Value: 16384},
	{Name: "shmmni", Value: 4096}, {Name: "shmmax", Value: 18446744073692774399}, {Name: "shmall", Value: 18446744073692774399},
	{Name: "semmni", Value: 32000}, {Name: "semmsl", Value: 32000}, {Name: "semmns", Value: 1024000000}, {Name: "semopm", Value: 500},
	{Name: "semvmx", Value: 32767}, {Name: "queues_max", Value: 256}, {Name: "msg_max", Value: 10}, {Name: "msgsize_max", Value: 8192},
}

func names(m map[uint32]string) func(uint32) string {
	return func(n uint32) string {
		if s, ok := m[n]; ok {
			return s
		}
		return fmt.Sprint(n)
	}
}

// fakeSystem serves a captured snapshot.
type fakeSystem struct {
	snap *Snapshot
	req  Request
}

func (f *fakeSystem) Snapshot(r Request) (*Snapshot, error) {
	f.req = r
	s := *f.snap
	if !r.Limits {
		s.Limits = nil
	}
	return &s, nil
}

// Do is not faked: ipcrm and ipcmk are measured on the kernel, against util-linux
// (TestCompareUtilLinux).
func (f *fakeSystem) Do(func(Dirs) error) error { return errors.New("fakeSystem: no kernel") }

// runTool runs tool on a fake system serving snap: stdout, stderr, exit status.
func runTool(tool func([]string, *Env) error, snap *Snapshot, argv ...string) (string, string, int) {
	out, errOut, _, code := runFake(tool, &fakeSystem{snap: snap}, argv...)
	return out, errOut, code
}

func runFake(tool func([]string, *Env) error, sys *fakeSystem, argv ...string) (string, string, *fakeSystem, int) {
	var out, errOut bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errOut, Version: "v0", Open: func(string) (System, error) { return sys, nil },
		Help: func() error { out.WriteString("HELP\n"); return nil }}
	err := tool(argv, env)
	code := 0
	var st ExitStatus
	switch {
	case errors.As(err, &st):
		code = int(st)
	case err != nil:
		errOut.WriteString("ERROR " + err.Error())
		code = -1
	}
	return out.String(), errOut.String(), sys, code
}

// TestIpcsGolden prints the captured snapshot in every format and unit and compares with
// testdata/ipcs/*.golden (go test -update rewrites them).
func TestIpcsGolden(t *testing.T) {
	for _, args := range []string{"", "-a", "-t", "-p", "-c", "-u", "-l", "--human", "-b", "-l -b", "-l --human", "-u --human",
		"-q -b", "-m --human", "-s -t", "-Q -M -S -c", "-Q -t", "-q -i 0", "-q --human -i 0", "-m -i 6", "-m --human -i 5", "-s -i 3",
		"-m -i 99", "-q -m -i 0", "-Q -i 0", "-c -t", "-b --human -m"} {
		argv := append([]string{"ipcs"}, strings.Fields(args)...)
		out, errOut, code := runTool(Ipcs, captured(), argv...)
		got := fmt.Sprintf("$ %s\n%s--- stderr\n%s--- exit %d\n", strings.Join(argv, " "), out, errOut, code)
		// An upper-case option is "cap" and the letter: -Q -i 0 and -q -i 0 must not differ in
		// case alone, or the module cannot be zipped (go install …@version refuses it) nor checked
		// out on a case-insensitive file system.
		name := strings.NewReplacer(" ", "_", "-", "", "Q", "capq", "M", "capm", "S", "caps").Replace(args)
		if name == "" {
			name = "default"
		}
		path := filepath.Join("testdata", "ipcs", name+".golden")
		if *update {
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test -update writes it)", err)
		}
		if got != string(want) {
			t.Errorf("ipcs %s: got\n%s\nwant\n%s", args, got, want)
		}
	}
}

func TestIpcsSemStatesError(t *testing.T) {
	snap := captured()
	snap.Detail = Detail{SemsErr: fmt.Errorf("semctl(3, GETALL): %w", unix.EACCES)}
	out, errOut, code := runTool(Ipcs, snap, "ipcs", "-s", "-i", "3")
	if out != "" || errOut != "ipcs: semctl(GETVAL) failed: Permission denied\n" || code != 1 {
		t.Errorf("got %q %q %d", out, errOut, code)
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[uint64]string{0: "0B", 100: "100B", 1024: "1K", 1536: "1.5K", 1500000: "1.4M",
		16384: "16K", 18446744073692774399: "16E", 1<<30 - 1: "1024M"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}
