//go:build linux

package posix

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/ctest"
	"golang.org/x/sys/unix"
)

// runPipeline runs p with stdout captured.
func runPipeline(t *testing.T, ctx context.Context, p *Pipeline) ([]Status, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p.Stdout = w
	out := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		out <- string(b)
	}()
	st, err := p.Run(ctx)
	w.Close()
	s := <-out
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	return st, s
}

func TestPipelineLikeShell(t *testing.T) {
	ctx := shortCtx(t, 30*time.Second)
	dir := t.TempDir()
	for _, name := range []string{"a", "b", "c"} {
		os.WriteFile(dir+"/"+name, nil, 0o600)
	}
	want, err := exec.Command("sh", "-c", "ls "+dir+" | wc").Output()
	if err != nil {
		t.Fatal(err)
	}
	st, got := runPipeline(t, ctx, &Pipeline{Stages: [][]string{{"ls", dir}, {"wc"}}})
	if got != string(want) || PipefailStatus(st) != 0 {
		t.Fatalf("ls | wc: %q %v, want %q", got, st, want)
	}
	st, got = runPipeline(t, ctx, &Pipeline{Stages: [][]string{{"printf", "b\\na\\nb\\n"}, {"sort"}, {"uniq", "-c"}, {"wc", "-l"}}})
	if strings.TrimSpace(got) != "2" || len(st) != 4 {
		t.Fatalf("four stages: %q %v", got, st)
	}
}

func TestPipelinePipefail(t *testing.T) {
	ctx := shortCtx(t, 30*time.Second)
	tests := []struct {
		stages [][]string
		codes  []int
		want   int
	}{
		{[][]string{{"true"}, {"true"}}, []int{0, 0}, 0},
		{[][]string{{"false"}, {"true"}}, []int{1, 0}, 1},
		{[][]string{{"sh", "-c", "exit 3"}, {"sh", "-c", "cat >/dev/null; exit 5"}, {"true"}}, []int{3, 5, 0}, 5},
		// yes dies of SIGPIPE once head has gone: 128+13, as bash reports it
		{[][]string{{"yes"}, {"head", "-1"}}, []int{141, 0}, 141},
	}
	for _, tt := range tests {
		st, _ := runPipeline(t, ctx, &Pipeline{Stages: tt.stages})
		var codes []int
		for _, s := range st {
			codes = append(codes, s.Shell())
		}
		if !equalInts(codes, tt.codes) || PipefailStatus(st) != tt.want {
			t.Errorf("%v: statuses %v pipefail %d; want %v %d", tt.stages, codes, PipefailStatus(st), tt.codes, tt.want)
		}
		// the same as bash says (bash is a required test peer: scripts/test installs it)
		{
			var parts []string
			for _, s := range tt.stages {
				parts = append(parts, shellQuote(s))
			}
			err := exec.Command("bash", "-o", "pipefail", "-c", strings.Join(parts, " | ")+" >/dev/null").Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if code != tt.want {
				t.Errorf("%v: bash -o pipefail says %d, we say %d", tt.stages, code, tt.want)
			}
		}
	}
	if st := (Status{Signal: syscall.SIGKILL}); st.Shell() != 137 {
		t.Fatalf("SIGKILL status %d", st.Shell())
	}
}

func shellQuote(argv []string) string {
	var q []string
	for _, a := range argv {
		q = append(q, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
	}
	return strings.Join(q, " ")
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPipelineSize: a gcc-compiled stage reports the capacity of the pipe on its stdin.
func TestPipelineSize(t *testing.T) {
	bin := ctest.Build(t, "pipesz", `
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
int main(void) { printf("%d\n", fcntl(0, F_GETPIPE_SZ)); return 0; }
`)
	ctx := shortCtx(t, 30*time.Second)
	_, got := runPipeline(t, ctx, &Pipeline{Stages: [][]string{{"true"}, {bin}}})
	if strings.TrimSpace(got) != strconv.Itoa(DefaultPipeCapacity()) {
		t.Fatalf("default capacity seen by the stage: %q, want %d", got, DefaultPipeCapacity())
	}
	_, got = runPipeline(t, ctx, &Pipeline{Stages: [][]string{{"true"}, {bin}}, Size: 300000})
	if strings.TrimSpace(got) != "524288" {
		t.Fatalf("capacity after asking 300000: %q, want 524288 (rounded up to a power of two pages)", got)
	}
	// Behind a --progress relay, the stage reads from a 1 MiB pipe (so the relay hops in big
	// chunks), unless --size says otherwise.
	_, got = runPipeline(t, ctx, &Pipeline{Stages: [][]string{{"true"}, {bin}}, Counts: counters(1)})
	if strings.TrimSpace(got) != strconv.Itoa(relayPipeSize) {
		t.Fatalf("capacity behind a relay: %q, want %d", got, relayPipeSize)
	}
	_, got = runPipeline(t, ctx, &Pipeline{Stages: [][]string{{"true"}, {bin}}, Size: 300000, Counts: counters(1)})
	if strings.TrimSpace(got) != "524288" {
		t.Fatalf("capacity behind a relay with a size: %q, want 524288", got)
	}
	max, _ := readProcInt("/proc/sys/fs/pipe-max-size")
	_, err := (&Pipeline{Stages: [][]string{{"true"}, {"true"}}, Size: max + 1}).Run(ctx)
	if !errors.Is(err, ErrPipeSize) {
		t.Fatalf("size above pipe-max-size: %v, want ErrPipeSize", err)
	}
}

// counters returns n counters for Pipeline.Counts.
func counters(n int) []*atomic.Int64 {
	c := make([]*atomic.Int64, n)
	for i := range c {
		c[i] = new(atomic.Int64)
	}
	return c
}

func TestPipelineCounts(t *testing.T) {
	ctx := shortCtx(t, 30*time.Second)
	p := &Pipeline{
		Stages: [][]string{{"head", "-c", "50000000", "/dev/zero"}, {"cat"}, {"wc", "-c"}},
		Counts: counters(2),
	}
	st, got := runPipeline(t, ctx, p)
	if strings.TrimSpace(got) != "50000000" || PipefailStatus(st) != 0 {
		t.Fatalf("through the relays: %q %v", got, st)
	}
	if a, b := p.Counts[0].Load(), p.Counts[1].Load(); a != 50000000 || b != 50000000 {
		t.Fatalf("final counts %d %d, want two relays of 50000000", a, b)
	}
	// a stage that exits early: upstream still gets SIGPIPE through the relay
	st, _ = runPipeline(t, ctx, &Pipeline{Stages: [][]string{{"yes"}, {"head", "-1"}}, Counts: counters(1)})
	if st[0].Signal != syscall.SIGPIPE {
		t.Fatalf("yes behind a relay: %+v, want SIGPIPE", st[0])
	}
	// one counter per pipe, or none
	if _, err := (&Pipeline{Stages: [][]string{{"true"}, {"true"}}, Counts: counters(2)}).Run(ctx); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("two counters for one pipe: %v, want EINVAL", err)
	}
}

func TestPipelineCancel(t *testing.T) {
	ctx := shortCtx(t, 100*time.Millisecond)
	start := time.Now()
	st, _ := runPipeline(t, ctx, &Pipeline{Stages: [][]string{{"sleep", "30"}, {"cat"}}})
	if time.Since(start) > 10*time.Second || st[0].Signal != syscall.SIGKILL {
		t.Fatalf("cancelled pipeline: %+v after %v", st, time.Since(start))
	}
}

func TestPipelineStartError(t *testing.T) {
	_, err := (&Pipeline{Stages: [][]string{{"sleep", "30"}, {"/nonexistent/cmd"}}}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/cmd") {
		t.Fatalf("missing command: %v", err)
	}
}

func TestPipeInfo(t *testing.T) {
	l, err := PipeInfo()
	if err != nil {
		t.Fatal(err)
	}
	max, _ := readProcInt("/proc/sys/fs/pipe-max-size")
	if l.PipeBuf != 4096 || l.MaxSize != max || l.DefaultCapacity <= 0 || l.PageSize != os.Getpagesize() {
		t.Fatalf("%+v", l)
	}
}

// relayPipes makes the two pipes around a relay, each with the given capacity (0: the default).
func relayPipes(t *testing.T, capacity int) (r1, w1, r2, w2 *os.File) {
	t.Helper()
	var err error
	if r1, w1, err = os.Pipe(); err != nil {
		t.Fatal(err)
	}
	if r2, w2, err = os.Pipe(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []*os.File{r1, w1, r2, w2} {
		t.Cleanup(func() { f.Close() })
	}
	if capacity > 0 {
		for _, f := range []*os.File{w1, w2} {
			if _, err := SetPipeSize(int(f.Fd()), capacity); err != nil {
				t.Fatal(err)
			}
		}
	}
	return r1, w1, r2, w2
}

// TestSpliceRelayBatches: a gcc-compiled writer makes 4 KiB writes as fast as it can and wc -c
// reads; between them the relay moves the stream in batches, not a splice per write, and still
// delivers every byte. The Go runtime collects garbage all along: the relay's raw system calls
// must not hold up a stop-the-world.
func TestSpliceRelayBatches(t *testing.T) {
	writer := ctest.Build(t, "writer4k", `
#include <string.h>
#include <unistd.h>
int main(void) {
	static char buf[4096];
	memset(buf, 'x', sizeof buf);
	for (int i = 0; i < 65536; i++)
		if (write(1, buf, sizeof buf) != sizeof buf) return 1;
	return 0;
}
`)
	const total, writes = 65536 * 4096, 65536
	for _, tt := range []struct {
		name     string
		capacity int
		batched  bool
	}{
		{"1MiB pipes", relayPipeSize, true},
		// pipes too small to time a batch: the relay moves what each wake-up finds
		{"default pipes", 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r1, w1, r2, w2 := relayPipes(t, tt.capacity)
			wcmd := exec.Command(writer)
			wcmd.Stdout = w1
			rcmd := exec.Command("wc", "-c")
			rcmd.Stdin = r2
			var out strings.Builder
			rcmd.Stdout = &out
			if err := wcmd.Start(); err != nil {
				t.Fatal(err)
			}
			if err := rcmd.Start(); err != nil {
				t.Fatal(err)
			}
			w1.Close()
			r2.Close()
			done := make(chan struct{})
			gcs := make(chan int)
			var slowest time.Duration // written before gcs is sent on, read after
			go func() {
				n := 0
				for {
					select {
					case <-done:
						gcs <- n
						return
					case <-time.After(5 * time.Millisecond):
						t0 := time.Now()
						runtime.GC()
						slowest = max(slowest, time.Since(t0))
						n++
					}
				}
			}()
			var count atomic.Int64
			var st relayStats
			err := spliceRelay(w2, r1, &count, &st)
			close(done)
			w2.Close()
			werr, rerr := wcmd.Wait(), rcmd.Wait()
			if err != nil || werr != nil || rerr != nil {
				t.Fatalf("relay %v, writer %v, wc %v", err, werr, rerr)
			}
			if count.Load() != total || strings.TrimSpace(out.String()) != strconv.Itoa(total) {
				t.Fatalf("moved %d, wc counted %q; want %d", count.Load(), out.String(), total)
			}
			ngc := <-gcs
			t.Logf("%d writes of 4 KiB: %d splices, %d sleeps; %d garbage collections meanwhile, the slowest %v", writes, st.splices, st.sleeps, ngc, slowest)
			if slowest > time.Second {
				t.Errorf("a garbage collection took %v while the relay ran: the relay holds its processor", slowest)
			}
			if tt.batched && (st.splices > writes/16 || st.sleeps == 0) {
				t.Fatalf("%d splices and %d sleeps for %d writes: the relay does not batch", st.splices, st.sleeps, writes)
			}
			if !tt.batched && st.sleeps != 0 {
				t.Fatalf("%d sleeps with pipes of %d bytes: too small to batch", st.sleeps, DefaultPipeCapacity())
			}
		})
	}
}

// TestSpliceRelayTrickle: a line written while the writer keeps the pipe open comes through the
// relay at once; batching never waits for more data.
func TestSpliceRelayTrickle(t *testing.T) {
	r1, w1, r2, w2 := relayPipes(t, relayPipeSize)
	var count atomic.Int64
	relayDone := make(chan error, 1)
	go func() { relayDone <- spliceRelay(w2, r1, &count, nil) }()
	buf := make([]byte, 64)
	for i := range 20 {
		line := fmt.Sprintf("line %d\n", i)
		if _, err := w1.WriteString(line); err != nil {
			t.Fatal(err)
		}
		r2.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, err := r2.Read(buf)
		if err != nil || string(buf[:n]) != line {
			t.Fatalf("line %d through the relay: %q %v (the relay holds it back)", i, buf[:n], err)
		}
		time.Sleep(time.Duration(i%3) * time.Millisecond)
	}
	w1.Close()
	if err := <-relayDone; err != nil || count.Load() != int64(20*len("line 0\n")+10) {
		t.Fatalf("relay: %v after %d bytes", err, count.Load())
	}
}
