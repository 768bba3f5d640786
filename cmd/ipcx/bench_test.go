package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/bench"
	"github.com/ipcx/ipcx/internal/sig"
)

// ipcxCommand runs this test binary as ipcx (TestMain dispatches on the name), with a private
// temporary directory, which it returns.
func ipcxCommand(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	c := exec.Command(exe, args...)
	c.Args[0] = "ipcx"
	c.Env = append(os.Environ(), "TMPDIR="+tmp)
	return c, tmp
}

// ipcObjects lists the IPC objects of the namespace: System V ids and the POSIX names.
func ipcObjects(t *testing.T) []string {
	t.Helper()
	var objs []string
	for _, f := range []string{"/proc/sysvipc/msg", "/proc/sysvipc/sem", "/proc/sysvipc/shm"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		for _, l := range lines[1:] {
			if fs := strings.Fields(l); len(fs) > 1 {
				objs = append(objs, f+":"+fs[1])
			}
		}
	}
	for _, d := range []string{"/dev/shm", "/dev/mqueue"} {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			objs = append(objs, filepath.Join(d, e.Name()))
		}
	}
	slices.Sort(objs)
	return objs
}

// noneLeft fails when a bench run left an object (compared with before) or a file in its
// temporary directory.
func noneLeft(t *testing.T, before []string, tmp string) {
	t.Helper()
	for _, o := range ipcObjects(t) {
		if !slices.Contains(before, o) {
			t.Errorf("left behind: %s", o)
		}
	}
	ents, _ := os.ReadDir(tmp)
	for _, e := range ents {
		t.Errorf("left behind in TMPDIR: %s", e.Name())
	}
}

// TestBenchJSON runs every mechanism for 1000 round trips at three sizes and checks the report:
// every field present, every figure positive and ordered, the sizes a mechanism cannot carry
// noted, and nothing left behind. Then both placements.
func TestBenchJSON(t *testing.T) {
	before := ipcObjects(t)
	c, tmp := ipcxCommand(t, "bench", "--count", "1000", "--warmup", "100", "--size", "64,4K,16K", "--json")
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		t.Fatalf("ipcx bench: %v\n%s", err, stderr.String())
	}
	r := checkReport(t, out, 1000, []int{64, 4096, 16384})
	noneLeft(t, before, tmp)
	var names []string
	for _, res := range r.Results {
		if len(names) == 0 || names[len(names)-1] != res.Mechanism {
			names = append(names, res.Mechanism)
		}
	}
	if !slices.Equal(names, bench.Mechanisms()) {
		t.Errorf("mechanisms %v, want %v", names, bench.Mechanisms())
	}

	if n, _ := os.ReadFile("/sys/devices/system/cpu/online"); strings.TrimSpace(string(n)) == "0" {
		t.Fatal("one CPU: the placement runs need two")
	}
	for _, cpus := range []string{"0,1", "1"} {
		c, tmp := ipcxCommand(t, "bench", "--count", "1000", "--cpus", cpus, "--json", "pipe", "shm", "signal")
		out, err := c.Output()
		if err != nil {
			t.Fatalf("ipcx bench --cpus %s: %v", cpus, err)
		}
		r := checkReport(t, out, 1000, []int{64})
		want := []int{0, 1}
		if cpus == "1" {
			want = []int{1, 1}
		}
		for _, res := range r.Results {
			if !res.Placement.Pinned || !slices.Equal(res.Placement.CPUs, want) {
				t.Errorf("--cpus %s: %s ran on %v (pinned %v), want %v", cpus, res.Mechanism, res.Placement.CPUs, res.Placement.Pinned, want)
			}
		}
		noneLeft(t, before, tmp)
	}
}

// checkReport decodes a report strictly and checks every figure.
func checkReport(t *testing.T, out []byte, count int, sizes []int) *bench.Report {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	var r bench.Report
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	// Every key is there (a missing one would decode as zero).
	var raw map[string]any
	json.Unmarshal(out, &raw)
	for _, k := range []string{"tool", "version", "started", "machine", "options", "results"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("report has no %q", k)
		}
	}
	if r.Tool != "ipcx bench" || r.Version == "" || r.Started.IsZero() || time.Since(r.Started) > time.Hour {
		t.Errorf("report header: %q %q %v", r.Tool, r.Version, r.Started)
	}
	m := r.Machine
	if m.Kernel == "" || m.Arch == "" || m.CPUModel == "" || m.CPUs < 1 || m.GoVersion == "" {
		t.Errorf("machine: %+v", m)
	}
	if r.Options.Count != count || !slices.Equal(r.Options.Sizes, sizes) || !r.Options.Throughput {
		t.Errorf("options: %+v", r.Options)
	}
	for _, res := range r.Results {
		name := fmt.Sprintf("%s %d", res.Mechanism, res.Size)
		l := res.Latency
		if l == nil {
			t.Errorf("%s: no latency", name)
			continue
		}
		if l.Count != count {
			t.Errorf("%s: %d round trips, want %d", name, l.Count, count)
		}
		if !(0 < l.MinNs && l.MinNs <= l.P50Ns && l.P50Ns <= l.P90Ns && l.P90Ns <= l.P99Ns && l.P99Ns <= l.P999Ns && l.P999Ns <= l.MaxNs) {
			t.Errorf("%s: figures not positive and ordered: %+v", name, *l)
		}
		if l.MeanNs < l.MinNs || l.MeanNs > l.MaxNs {
			t.Errorf("%s: mean %v outside min..max", name, l.MeanNs)
		}
		if len(l.CDF) < 2 || len(l.CDF) > 256 || l.CDF[len(l.CDF)-1].Fraction != 1 || l.CDF[len(l.CDF)-1].Ns != l.MaxNs {
			t.Errorf("%s: CDF of %d steps ending %v", name, len(l.CDF), l.CDF[len(l.CDF)-1])
		}
		for i := 1; i < len(l.CDF); i++ {
			if l.CDF[i].Ns <= l.CDF[i-1].Ns || l.CDF[i].Fraction <= l.CDF[i-1].Fraction {
				t.Errorf("%s: CDF not increasing at %d", name, i)
				break
			}
		}
		if len(res.Placement.CPUs) != 2 || res.Placement.CPUs[0] < 0 || res.Placement.CPUs[1] < 0 {
			t.Errorf("%s: placement %+v", name, res.Placement)
		}
		switch res.Mechanism {
		case "sysv-sem", "posix-sem", "signal", "eventfd":
			if res.Throughput != nil || res.Note == "" {
				t.Errorf("%s: carries no data, yet throughput %v, note %q", name, res.Throughput, res.Note)
			}
			continue
		}
		tp := res.Throughput
		if tp == nil {
			t.Errorf("%s: no throughput", name)
			continue
		}
		if tp.Messages < 2 || tp.Messages > int64(count) || res.Mechanism != "udp" && tp.Messages != int64(count) ||
			tp.Bytes != tp.Messages*int64(res.Size) || tp.Seconds <= 0 || tp.MsgsPerSec <= 0 || tp.BytesPerSec <= 0 {
			t.Errorf("%s: throughput %+v", name, *tp)
		}
		if (res.Mechanism == "sysv-mq" || res.Mechanism == "posix-mq") && res.Size != 8192 && res.Size != 64 && res.Size != 4096 {
			t.Errorf("%s: a queue message over its limit", name)
		}
		capped := res.Size == 8192 && (res.Mechanism == "sysv-mq" || res.Mechanism == "posix-mq")
		if capped && !strings.Contains(res.Note, "16384 bytes is more than") {
			t.Errorf("%s: note %q does not say the size was capped", name, res.Note)
		}
		if !capped && res.Note != "" && !strings.Contains(res.Note, "RLIMIT_MSGQUEUE") && !strings.Contains(res.Note, "datagrams arrived") {
			t.Errorf("%s: note %q", name, res.Note)
		}
	}
	return &r
}

// benchRun starts ipcx bench with --progress and returns it with a reader of its stderr lines.
func startBench(t *testing.T, args ...string) (*exec.Cmd, *bufio.Scanner, *bytes.Buffer, string) {
	t.Helper()
	c, tmp := ipcxCommand(t, append([]string{"bench", "--progress"}, args...)...)
	pr, err := c.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	var rest bytes.Buffer
	sc := bufio.NewScanner(pr)
	return c, sc, &rest, tmp
}

// waitLine reads progress lines until one containing want has been seen n times; the lines read
// go to log.
func waitLine(t *testing.T, sc *bufio.Scanner, log *bytes.Buffer, want string, n int) {
	t.Helper()
	for sc.Scan() {
		log.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), want) {
			if n--; n == 0 {
				return
			}
		}
	}
	t.Fatalf("no progress line %q; stderr:\n%s", want, log.String())
}

// childrenOf lists the processes whose parent is pid.
func childrenOf(pid int) []int {
	var kids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		fs := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fs) > 1 && fs[1] == strconv.Itoa(pid) {
			kids = append(kids, p)
		}
	}
	return kids
}

// finish waits for the bench, drains its stderr, and checks its exit status and that its
// children are gone.
func finish(t *testing.T, c *exec.Cmd, sc *bufio.Scanner, log *bytes.Buffer, kids []int, code int) string {
	t.Helper()
	for sc.Scan() {
		log.WriteString(sc.Text() + "\n")
	}
	err := c.Wait()
	got := 0
	if ee, ok := err.(*exec.ExitError); ok {
		got = ee.ExitCode() // -1 when a signal killed it: ipcx must exit by itself
	} else if err != nil {
		t.Fatal(err)
	}
	if got != code {
		t.Errorf("ipcx bench exited %d, want %d; stderr:\n%s", got, code, log.String())
	}
	for _, k := range kids {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", k)); err == nil {
			t.Errorf("the echoing process %d outlived ipcx bench", k)
		}
	}
	if left := childrenOf(c.Process.Pid); len(left) > 0 {
		t.Errorf("processes whose parent was the bench: %v", left)
	}
	return log.String()
}

// TestBenchInterrupt: SIGINT and SIGTERM in every mechanism's latency and throughput runs, at a
// random moment after the progress line, and at random steps of a run of all of them: exit
// 128+N, no object, no file, no process left.
func TestBenchInterrupt(t *testing.T) {
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	before := ipcObjects(t)
	sigs := []string{"INT", "TERM"}
	for i, m := range bench.Mechanisms() {
		phases := []string{"latency"}
		switch m {
		case "sysv-sem", "posix-sem", "signal", "eventfd":
		default:
			phases = append(phases, "throughput")
		}
		for j, phase := range phases {
			s := sigs[(i+j)%2]
			t.Run(fmt.Sprintf("%s/%s/SIG%s", m, phase, s), func(t *testing.T) {
				d := "5s" // the run outlasts the random point
				if phase == "throughput" {
					d = "300ms" // the latency run before it ends soon
				}
				c, sc, log, tmp := startBench(t, "--duration", d, "--warmup", "100", m)
				waitLine(t, sc, log, phase, 1)
				time.Sleep(time.Duration(rng.Intn(20)) * time.Millisecond) // a random point of the run, not a synchronisation
				kids := childrenOf(c.Process.Pid)
				if len(kids) != 1 {
					t.Errorf("%d echoing processes, want 1", len(kids))
				}
				c.Process.Signal(sigByName(s))
				out := finish(t, c, sc, log, kids, 128+signum(s))
				if !strings.Contains(out, "interrupted by SIG"+s) {
					t.Errorf("stderr:\n%s", out)
				}
				noneLeft(t, before, tmp)
			})
		}
	}
	// All mechanisms: the progress lines are starting, latency (and throughput) per mechanism.
	for i := 0; i < 4; i++ {
		s := sigs[i%2]
		k := 1 + rng.Intn(40)
		t.Run(fmt.Sprintf("all/line%d/SIG%s", k, s), func(t *testing.T) {
			c, sc, log, tmp := startBench(t, "--count", "20000")
			waitLine(t, sc, log, "ipcx bench: ", k)
			kids := childrenOf(c.Process.Pid)
			c.Process.Signal(sigByName(s))
			finish(t, c, sc, log, kids, 128+signum(s))
			noneLeft(t, before, tmp)
		})
	}
}

func signum(name string) int { return map[string]int{"INT": 2, "TERM": 15}[name] }

// TestBenchChildKilled: SIGKILL of the echoing process, in every mechanism's latency run, is
// noticed: ipcx bench says so and exits 1, with nothing left.
func TestBenchChildKilled(t *testing.T) {
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	before := ipcObjects(t)
	for _, m := range bench.Mechanisms() {
		t.Run(m, func(t *testing.T) {
			c, sc, log, tmp := startBench(t, "--duration", "5s", "--warmup", "100", m)
			waitLine(t, sc, log, "latency", 1)
			time.Sleep(time.Duration(rng.Intn(20)) * time.Millisecond)
			kids := childrenOf(c.Process.Pid)
			if len(kids) != 1 {
				t.Fatalf("%d echoing processes, want 1", len(kids))
			}
			if p, err := os.FindProcess(kids[0]); err == nil {
				p.Kill() // the echoing process this test's ipcx started
			}
			out := finish(t, c, sc, log, kids, 1)
			if !strings.Contains(out, "ipcx: bench "+m+": the echoing process (pid "+strconv.Itoa(kids[0])+") ended: signal: killed") {
				t.Errorf("stderr:\n%s", out)
			}
			noneLeft(t, before, tmp)
		})
	}
}

// sigByName is the signal named name ("TERM").
func sigByName(name string) os.Signal {
	s, err := sig.Parse(name)
	if err != nil {
		panic(err)
	}
	return s.OS()
}
