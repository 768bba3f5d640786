package compat

// TestCompareUtilLinux runs util-linux 2.41.5's ipcs, ipcrm, ipcmk and lsipc and ipcx's compat
// modes (the built ipcx through links of those names, so argv[0] handling is covered too) side by
// side on the same objects and compares stdout, stderr, the exit status and, for the commands that
// remove or create, the objects left afterwards.
//
// The cases are generated from tables: option lists crossed with fixtures (helper_test.go) and
// users. Read-only commands (ipcs, lsipc) of one fixture run in one helper, one after the other
// on the very same objects, so nothing is masked: ids, pids, keys and times agree. A command that
// removes or creates runs on a fresh copy of its fixture for each implementation (two helpers,
// each in new namespaces: the same ids, and the fixture's objects made by the helper, pid 1).
// Masked, because the two runs cannot agree on them: for ipcmk cases, the keys of the objects left
// (ipcmk picks them at random) and the creator and last pid of the segments it made (the tool's
// own pid, which depends on how many threads the helper's Go runtime started first). Nothing else.
//
// knownDifferences lists the cases that differ on purpose (the deviations documented in the
// README and each tool's help); the test checks that they still differ, so that fixing one
// forces updating the list.

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/testns"
)

type compareCase struct {
	tool    string
	args    []string
	uid     int
	fixture string
	mutates bool // run on a fresh fixture per implementation and compare the objects left
}

func (c compareCase) name() string {
	s := c.fixture + "/"
	if c.uid != 0 {
		s += fmt.Sprintf("uid%d/", c.uid)
	}
	return s + strings.Join(append([]string{c.tool}, c.args...), " ")
}

// knownDifferences are the cases where ipcx differs from util-linux on purpose, by name (see
// compareCase.name), with the reason.
var knownDifferences = map[string]string{
	// The help is ipcx's: it lists the deviations and ipcx's --ns.
	"full/ipcs -h": "help", "full/ipcs --help": "help", "full/ipcs --he": "help", "full/lsipc -h": "help",
	"rm/ipcrm -h": "help", "empty/ipcmk -h": "help",
	// ipcrm -a and --all=pshm never remove directories, symlinks or other non-regular files in
	// /dev/shm: util-linux unlinks the symlink, then stops at the directory ("name failed: Is a
	// directory") with the rest of -a undone; ipcx skips both and removes everything else.
	"rm/ipcrm -a": "-a skips non-IPC files", "rm/ipcrm -a -a": "-a skips non-IPC files",
	"rm/ipcrm --all": "-a skips non-IPC files", "rm/ipcrm --all=pshm": "-a skips non-IPC files",
	"rm/ipcrm -a -q 0": "-a skips non-IPC files", "rm/ipcrm -v -a": "-a skips non-IPC files",
	"rm/ipcrm -v --all=pshm": "-a skips non-IPC files",
	// ... and as a user, ipcx does not try them (util-linux reports "permission denied").
	"rm/uid65534/ipcrm -a": "-a skips non-IPC files", "rm/uid65534/ipcrm -v -a": "-a skips non-IPC files",
	"rm/uid65534/ipcrm --all=pshm": "-a skips non-IPC files",
	// "ipcrm -a shm" (with a space) is refused before anything is removed; util-linux removes
	// every object of every type, then says "unknown argument: shm".
	"rm/ipcrm -a shm": "-a TYPE refused",
	// --ns is ipcx's option: util-linux has none.
	"full/ipcs --ns=1": "ipcx's --ns",
	// util-linux's ipcs -s -i -1 dies of SIGSEGV (it prints the first set's elements from an
	// empty list); ipcx says "id -1 not found".
	"full/ipcs -s -i -1": "util-linux crashes", "full/ipcs -s -i -1 --human": "util-linux crashes",
	"full/ipcs -s -i -1 -b": "util-linux crashes", "full/ipcs -s -i -1 -t": "util-linux crashes",
}

// cross returns every concatenation of one element of each list, in order.
func cross(lists ...[][]string) [][]string {
	out := [][]string{{}}
	for _, l := range lists {
		var next [][]string
		for _, prefix := range out {
			for _, x := range l {
				next = append(next, append(append([]string{}, prefix...), x...))
			}
		}
		out = next
	}
	return out
}

// words splits each string into arguments at spaces; ” is an empty argument and ~ a space.
func words(s ...string) [][]string {
	out := make([][]string, len(s))
	for i, x := range s {
		out[i] = []string{}
		for _, w := range strings.Fields(x) {
			if w == "''" {
				w = ""
			}
			out[i] = append(out[i], strings.ReplaceAll(w, "~", " "))
		}
	}
	return out
}

func compareCases() []compareCase {
	var cs []compareCase
	add := func(tool, fixture string, uid int, mutates bool, argss ...[][]string) {
		for _, args := range argss {
			for _, a := range args {
				cs = append(cs, compareCase{tool: tool, args: a, uid: uid, fixture: fixture, mutates: mutates})
			}
		}
	}
	// ipcs: resources x formats x units, on every read-only fixture; a smaller product as a user.
	ipcsRes := words("", "-a", "-q", "-m", "-s", "-q -s", "-m -q", "--shmems", "-s -a")
	ipcsFmt := words("", "-t", "-c", "-l", "-u", "-p", "-c -t", "-t -c", "--time", "--pid -l")
	ipcsUnit := words("", "-b", "--human", "--human -b", "-b --human")
	for _, f := range []string{"full", "limits", "empty"} {
		add("ipcs", f, 0, false, cross(ipcsRes, ipcsFmt, ipcsUnit))
	}
	add("ipcs", "full", uidNobody, false, cross(words("", "-q", "-m", "-s"), words("", "-t", "-c", "-p", "-u", "-l")))
	ipcsID := words("0", "1", "2", "3", "4", "99", "-1", "0x3", "~3", "99999999999", "abc", "''")
	for _, res := range words("-q", "-m", "-s") {
		for _, id := range ipcsID {
			for _, u := range words("", "--human", "-b", "-t") {
				a := append(append(append([]string{}, res...), "-i"), id...)
				add("ipcs", "full", 0, false, [][]string{append(a, u...)})
			}
		}
	}
	add("ipcs", "full", uidNobody, false, words("-m -i 4", "-q -i 1", "-s -i 0", "-s -i 1", "-m -i 0"))
	add("ipcs", "full", 0, false, words("-i 0", "-i 0 -q -m", "-i 0 -a", "-q -i0", "--id=1 -m", "--id 1 -m", "-m -i 1 -i 2",
		"-Q", "-M", "-S", "-x", "--bogus", "--hum", "--creat", "--time=1", "-V", "--version", "-h", "--help", "--he",
		"--posix-mqueues", "extra operand", "-q extra", "-i", "--id", "--s", "--", "-- -q", "-q -- -m", "-", "-qmst", "-tq", "-ibad -q",
		"--n", "--ns=1"))

	// lsipc: resources x output modes x options on the full fixture; fewer on the others.
	lsRes := words("", "-g", "-q", "-m", "-s", "-Q", "-M", "-S", "-g -q", "-g -m", "-g -s")
	lsMode := words("", "-r", "-e", "-n", "-J", "-l", "--noheadings", "-y -e", "-y -J", "-r --noheadings")
	lsOpt := words("", "-b", "-c", "-t", "-P", "--notruncate", "--time-format=iso", "--time-format=full", "-o KEY,ID", "-o +CUSER,CGROUP", "-c -t", "-b -P")
	add("lsipc", "full", 0, false, cross(lsRes, lsMode, lsOpt))
	add("lsipc", "limits", 0, false, cross(words("", "-g", "-g -q", "-g -m", "-g -s"), words("", "-b", "-r", "-J")))
	add("lsipc", "empty", 0, false, cross(words("", "-q", "-m", "-s", "-Q", "-M", "-S"), words("", "-J", "-r", "-e", "-l")))
	add("lsipc", "full", uidNobody, false, cross(words("", "-q", "-m", "-s", "-Q", "-M", "-S"), words("", "-J")))
	allCols := []string{"KEY", "ID", "OWNER", "PERMS", "CUID", "CUSER", "CGID", "CGROUP", "UID", "USER", "GID", "GROUP", "CTIME",
		"NAME", "MTIME", "USEDBYTES", "MSGS", "SEND", "RECV", "LSPID", "LRPID", "SIZE", "NATTCH", "STATUS", "ATTACH", "DETACH",
		"COMMAND", "CPID", "LPID", "NSEMS", "OTIME", "RESOURCE", "DESCRIPTION", "LIMIT", "USED", "USE%", "SVAL"}
	for _, res := range words("-q", "-m", "-s", "-Q", "-M", "-S", "-g") {
		for _, col := range allCols {
			add("lsipc", "full", 0, false, [][]string{append(append([]string{}, res...), "-o", col)})
		}
		add("lsipc", "full", 0, false, [][]string{append(append([]string{}, res...), "-o", strings.ToLower(allCols[0])+",id,nope")})
	}
	lsID := words("-q -i 0", "-q -i 1", "-m -i 0", "-m -i 1", "-m -i 3", "-m -i 4", "-s -i 0", "-s -i 1", "-q -i 9", "-Q -N /q1", "-Q -N /q2",
		"-M -N /s1", "-M -N /s3", "-S -N /m1", "-S -N /m2", "-Q -N /nope", "-M -N /nope", "-S -N /nope", "-Q -N q1")
	add("lsipc", "full", 0, false, cross(lsID, words("", "-l", "-J", "-r", "-e", "-b", "-c", "-t", "-o ID,KEY", "-P --time-format=iso")))
	add("lsipc", "full", uidNobody, false, cross(words("-q -i 1", "-m -i 4", "-s -i 0", "-Q -N /q2", "-S -N /m2"), words("", "-J")))
	add("lsipc", "full", 0, false, cross(lsID[:10], words("-c -P", "-t --time-format=iso", "-n", "-y -e", "-o +KEY", "-P -l", "--noheadings -r")))
	add("lsipc", "full", 0, false, cross(words("-g", "-q -g", "-m -g", "-s -g", "-Q -g"), words("-y -n", "-J -y", "-y -r --noheadings", "-o LIMIT,USE%", "-o +USED", "-b -y")))
	add("lsipc", "full", 0, false, words("-M -N sp~ace$`\"q\\x", "-M -N sp~ace$`\"q\\x -J", "-Q -N /nope -n", "-S -N m1", "-S -N m1 -J",
		"-M -N s1", "-M -N s1 -r", "-q -o key,ID,key", "-q -o +ID,+KEY", "-q -o ,ID", "-q -o ID,", "-q -o ID,,KEY", "-q -o ''", "-q -o +",
		"-q -o Id", "-q -o ID -o KEY", "-m -t -o +CUID", "-P -m -c"))
	add("lsipc", "full", 0, false, words("-x", "--bogus", "--time-format=x", "--time-format", "-o NOPE", "-q -o NSEMS,ID", "-o", "-J -r", "-e -n",
		"-q -m", "-Q -S", "-i 0 -g -q", "-N /q1 -i 0", "-c -o ID", "-c -q -o ID", "-t -s -c", "-i 0", "-N /q1", "-i abc -q", "-i 99999999999 -q",
		"-V", "--version", "-h", "--output-all", "--n", "--no", "--not", "--list -q", "-q extra", "-c -g", "--shell -q -e", "-y -q"))

	// ipcrm: removal options, as root and as nobody, each on a fresh fixture.
	rm := words("-q 0", "-q 1", "-q 3", "-q 9", "-q -1", "-q abc", "-q ''", "-m 0", "-m 2", "-s 1", "-s 2", "-Q 0x100", "-Q 0x101",
		"-Q 0", "-Q 0x999", "-M 0x100", "-M 256", "-S 0x102", "-S 0400", "-Q -1", "-Q abc",
		"--posix-mqueue /r0", "--posix-mqueue r0", "--posix-mqueue /nope", "--posix-shmem /r0", "--posix-shmem /r1", "--posix-shmem r1",
		"--posix-semaphore /r0", "--posix-semaphore /nope", "--posix-semaphore r0",
		"-a", "-a -a", "--all", "--all=", "-a=shm", "-ashm", "--all=msg", "--all=pmsg", "--all=pshm", "--all=psem", "--all=sem",
		"--all=bogus", "--all=msg --all=sem", "-a shm", "-a -q 0",
		"-v -q 0", "-q 0 -v", "-v", "-v -a", "-v --all=pshm", "-v --all=psem", "-v --all=pmsg", "-v -M 0x100 --posix-mqueue /r1",
		"msg 0", "msg 0 1", "shm 1", "sem 2", "sem", "foo 1", "msg abc", "msg 9", "shm 0 9 1",
		"-q 0 -q 0", "-q 0 msg 1", "-x", "", "-V", "-h", "--qu 0", "--queue-id=0", "--s 0", "--posix 1")
	add("ipcrm", "rm", 0, true, rm)
	add("ipcrm", "rm", uidNobody, true, words("-q 0", "-q 2", "-M 0x101", "-a", "-v -a", "--all=shm", "--all=pshm", "--all=pmsg",
		"--posix-mqueue /r0", "--posix-shmem /r1", "--posix-semaphore /r0", "msg 0 2", "-v -Q 0x102"))

	// On the full fixture: attached segments (marked for removal, not gone), odd names.
	add("ipcrm", "full", 0, true, words("-m 0", "-M 0x2222", "--all=shm", "-v --all=sem", "-q 1 -q 2", "--all=pmsg", "-v --all=psem",
		"--posix-shmem sp~ace$`\"q\\x", "--posix-mqueue /ctl\x02", "-m 3", "shm 0 1 2 3 4"))
	add("ipcrm", "full", uidNobody, true, words("-m 2", "-v -a", "--posix-shmem s2", "--posix-semaphore m2"))
	// lsipc on what ipcrm's fixture has in /dev/shm: a directory and a symlink, listed as util-linux
	// lists them.
	add("lsipc", "rm", 0, false, words("-M", "-M -J", "-M -N adir", "-M -N alink -b", "-S", "-Q -r", "-g", "-M -t", "-M -c"))
	add("ipcs", "rm", 0, false, words("", "-c", "-p", "-t"))

	// ipcmk: creation, on an empty fixture (and on the full one for names that exist).
	mk := words("-Q", "-M 4096", "-M 1.5M", "-M 1K", "-M 1KiB", "-M 1KB", "-M 0", "-M abc", "-M -1", "-M 1.5", "-M 0x10",
		"-S 3", "-S 0", "-S abc", "-S 99999", "-S -1", "-Q -p 600", "-Q -p 1777", "-Q -p 0777", "-Q -p 9", "-Q -p abc", "-M 10 -p 4755",
		"-M 100 -Q -S 2", "-q -n /x", "-q -n x", "-q", "-m 4096 -n /s", "-m 1.5K -n s", "-s -n /sem", "-s -n sem",
		"-m 1M -n /a -q -s", "-M 1 -m 1 -n /a -Q -q -S 1 -s", "-n /x", "-q -n /x -p 600", "-s -n /x -p 1777", "-s -n /x -p 666",
		"-m 10 -n /x -p 666", "-q -n /x -p 777", "-q -n /a/b", "-m 10 -n /a/b", "-m 10 -n ''", "-s -n /a/b", "-M 1.5G", "-q -n //x", "-q -n ''",
		"-x", "", "-V", "-h", "extra -Q", "-Q extra", "--queue", "--shm 10", "--sem 1", "--posix-mq -n /x", "--mode=600 -Q", "--p 1")
	add("ipcmk", "empty", 0, true, mk)
	add("ipcmk", "full", 0, true, words("-q -n /q1", "-m 10 -n /s1", "-s -n /m1", "-q -n /q1 -s -n /new"))
	add("ipcmk", "empty", uidNobody, true, words("-Q", "-q -n /x", "-M 10", "-s -n /x", "-m 10 -n /x -p 600"))
	add("ipcmk", "full", uidNobody, true, words("-s -n /m2", "-m 10 -n /s3", "-q -n /q2", "-m 1 -n s2", "-s -n /m1"))
	return cs
}

type outcome struct {
	stdout, stderr, state string
	code                  int
}

func (o outcome) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s--- state\n%s", o.code, o.stdout, o.stderr, o.state)
}

// keyField is the key of an object in the state; shmPids the creator and last pid of a segment.
var (
	keyField = regexp.MustCompile(`(?m)^(msg|shm|sem) +-?\d+`)
	shmPids  = regexp.MustCompile(`(?m)^(shm KEY \S+ \S+ \S+) \d+ \d+`)
)

func TestCompareUtilLinux(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the comparison needs root: it makes namespaces and objects of other users")
	}
	if emu := testns.Emulator(); emu != "" {
		// Each case runs in fresh namespaces made by clone(2) flags, which qemu-user does not
		// emulate; and the ipcx it compares is built for the host, not for the emulated
		// architecture, so under the emulator it would test nothing arm64 adds. The golden and
		// parser tests of this package run there.
		t.Skipf("under %s: the comparison re-executes itself with clone namespace flags, which qemu-user rejects", emu)
	}
	p := getPeer(t)
	start := time.Now()
	cases := compareCases()
	if f := os.Getenv("IPCX_COMPARE_RUN"); f != "" { // a regexp of case names, to work on a few
		re := regexp.MustCompile(f)
		var sel []compareCase
		for _, c := range cases {
			if re.MatchString(c.name()) {
				sel = append(sel, c)
			}
		}
		cases = sel
	}
	var failMu sync.Mutex
	var failures []error
	fail := func(err error) { failMu.Lock(); failures = append(failures, err); failMu.Unlock() }
	results := make([][2]outcome, len(cases))
	toOutcome := func(r helperResult, c compareCase) outcome {
		o := outcome{stdout: r.Stdout, stderr: r.Stderr, code: r.Code, state: r.State}
		if c.tool == "ipcmk" {
			// ipcmk picks keys at random, and the pid of a tool differs between two helpers
			// (the Go runtime of the helper starts a varying number of threads first).
			o.state = keyField.ReplaceAllString(o.state, "$1 KEY")
			o.state = shmPids.ReplaceAllString(o.state, "$1 PID PID")
		}
		return o
	}
	// Read-only cases: one helper per fixture and user, both implementations in turn.
	type group struct {
		fixture string
		idx     []int
	}
	groups := map[string]*group{}
	var jobs []func()
	for i, c := range cases {
		if c.mutates {
			jobs = append(jobs, func() {
				for k, impl := range []string{"util-linux", "ipcx"} {
					r, err := runHelper(helperRequest{Fixture: c.fixture, Runs: []helperRun{{Argv: p.argv(impl, c.tool, c.args), UID: c.uid, State: true}}})
					if err != nil {
						fail(err)
						return
					}
					results[i][k] = toOutcome(r[0], c)
				}
			})
			continue
		}
		g := groups[c.fixture]
		if g == nil {
			g = &group{fixture: c.fixture}
			groups[c.fixture] = g
		}
		g.idx = append(g.idx, i)
	}
	for _, g := range groups {
		// Chunks, so that the helpers run in parallel.
		for lo := 0; lo < len(g.idx); lo += 150 {
			idx := g.idx[lo:min(lo+150, len(g.idx))]
			jobs = append(jobs, func() {
				var runs []helperRun
				for _, i := range idx {
					c := cases[i]
					for _, impl := range []string{"util-linux", "ipcx"} {
						runs = append(runs, helperRun{Argv: p.argv(impl, c.tool, c.args), UID: c.uid})
					}
				}
				r, err := runHelper(helperRequest{Fixture: g.fixture, Runs: runs})
				if err != nil {
					fail(err)
					return
				}
				for j, i := range idx {
					results[i][0], results[i][1] = toOutcome(r[2*j], cases[i]), toOutcome(r[2*j+1], cases[i])
				}
			})
		}
	}
	work := make(chan func())
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for j := range work {
				j()
			}
		})
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d helpers failed; the first: %v", len(failures), failures[0])
	}

	perTool := map[string][2]int{} // same, different
	var unexpected []string
	seen := map[string]bool{}
	for i, c := range cases {
		name := c.name()
		if seen[name] {
			t.Errorf("case %q twice", name)
		}
		seen[name] = true
		ul, ix := results[i][0], results[i][1]
		same := ul == ix
		n := perTool[c.tool]
		if same {
			n[0]++
		} else {
			n[1]++
		}
		perTool[c.tool] = n
		reason, known := knownDifferences[name]
		switch {
		case same && known:
			t.Errorf("%s: listed as a known difference (%s) but now identical: remove it from knownDifferences", name, reason)
		case !same && !known:
			unexpected = append(unexpected, name)
			if len(unexpected) <= 60 {
				t.Errorf("%s differs:\n=== util-linux %s\n%s=== ipcx\n%s", name, peerVersion, ul, ix)
			}
		}
	}
	for name := range knownDifferences {
		if !seen[name] && os.Getenv("IPCX_COMPARE_RUN") == "" {
			t.Errorf("known difference %q is not a case", name)
		}
	}
	tools := []string{}
	for k := range perTool {
		tools = append(tools, k)
	}
	sort.Strings(tools)
	for _, k := range tools {
		t.Logf("%s: %d identical, %d different", k, perTool[k][0], perTool[k][1])
	}
	t.Logf("%d cases in %v; %d unexpected differences", len(cases), time.Since(start).Round(time.Millisecond), len(unexpected))
	if len(unexpected) > 0 {
		os.WriteFile(os.TempDir()+"/ipcx-compat-unexpected.txt", []byte(strings.Join(unexpected, "\n")+"\n"), 0o644)
	}
}
