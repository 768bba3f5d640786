package progress

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/iostreams"
	"golang.org/x/sys/unix"
)

var no = false

// TestConcurrentAdds: adds from many goroutines at once are all counted (run with -race).
func TestConcurrentAdds(t *testing.T) {
	var buf bytes.Buffer
	d := Start(&buf, Always, Options{Label: "x", Messages: true, Interval: time.Millisecond, Terminal: &no})
	m := d.Meter(0)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10000; i++ {
				m.AddMessage(3)
				m.Add(1)
				m.Counter().Add(1)
			}
		}()
	}
	wg.Wait()
	d.Finish()
	if m.Messages() != 80000 || m.Bytes() != 80000*5 {
		t.Fatalf("counted %d messages, %d bytes; want 80000, 400000", m.Messages(), m.Bytes())
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "ipcx: x: 80000 messages ") || !strings.Contains(last, ", 400000 bytes (391K) ") {
		t.Fatalf("final line %q", last)
	}
}

// TestNil: without --progress the command holds a nil display, and the data path a nil meter.
func TestNil(t *testing.T) {
	d := Start(os.Stderr, Off, Options{Label: "x"})
	if d != nil {
		t.Fatal("Off gave a display")
	}
	m := d.Meter(0)
	m.Add(5)
	m.AddMessage(5)
	if m.Counter() != nil || m.Bytes() != 0 || m.Messages() != 0 {
		t.Fatal("a nil meter counted")
	}
	d.Println("nothing")
	d.Finish()
	var buf bytes.Buffer
	if w := d.Writer(&buf); w != io.Writer(&buf) {
		t.Fatal("a nil display's writer is not the writer itself")
	}
}

// TestLines: the live and the final lines, formatted at a known time.
func TestLines(t *testing.T) {
	var buf bytes.Buffer
	d := Start(&buf, Auto, Options{Label: "fifo /tmp/f", Terminal: &no})
	d.Meter(0).Add(10 << 20)
	at := d.start.Add(2 * time.Second)
	if got, want := d.line(at, false), "ipcx: fifo /tmp/f: 10M 5.0M/s  2.0s"; got != want {
		t.Errorf("live line %q, want %q", got, want)
	}
	// the next live line shows the rate since the last one
	d.Meter(0).Add(1 << 20)
	if got, want := d.line(at.Add(time.Second), false), "ipcx: fifo /tmp/f: 11M 1.0M/s  3.0s"; got != want {
		t.Errorf("second live line %q, want %q", got, want)
	}
	// the final line: exact count, mean rate
	if got, want := d.line(at.Add(2*time.Second), true), "ipcx: fifo /tmp/f: 11534336 bytes (11M) 2.8M/s in 4.0s"; got != want {
		t.Errorf("final line %q, want %q", got, want)
	}

	d = Start(&buf, Auto, Options{Label: "mq /jobs", Messages: true, Terminal: &no})
	for i := 0; i < 1000; i++ {
		d.Meter(0).AddMessage(32)
	}
	at = d.start.Add(1250 * time.Millisecond)
	if got, want := d.line(at, false), "ipcx: mq /jobs: 1000 msgs 800/s 31K 25K/s  1.2s"; got != want {
		t.Errorf("live line %q, want %q", got, want)
	}
	if got, want := d.line(at, true), "ipcx: mq /jobs: 1000 messages 800/s, 32000 bytes (31K) 25K/s in 1.2s"; got != want {
		t.Errorf("final line %q, want %q", got, want)
	}

	conns := 1
	d = Start(&buf, Auto, Options{Label: "sock tcp:127.0.0.1:9", Streams: []string{"sent", "received"}, Terminal: &no,
		Extra: func() string { return Count(int64(conns), "connection") }})
	d.Meter(0).Add(1)
	at = d.start.Add(time.Second)
	if got, want := d.line(at, true), "ipcx: sock tcp:127.0.0.1:9: sent 1 byte 1B/s  received 0 bytes 0B/s, 1 connection in 1.0s"; got != want {
		t.Errorf("final line %q, want %q", got, want)
	}
}

func TestElapsed(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                     "0.0s",
		1234 * time.Millisecond:               "1.2s",
		65*time.Second + 300*time.Millisecond: "1m05.3s",
		time.Hour + 2*time.Minute + 3*time.Second: "1h02m03s",
	} {
		if got := Elapsed(d); got != want {
			t.Errorf("Elapsed(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseMode(t *testing.T) {
	for s, want := range map[string]Mode{"auto": Auto, "": Auto, "always": Always, "never": Off} {
		if m, err := ParseMode(s); err != nil || m != want {
			t.Errorf("ParseMode(%q) = %v, %v; want %v", s, m, err, want)
		}
	}
	if _, err := ParseMode("yes"); err == nil {
		t.Error("ParseMode(yes) did not fail")
	}
}

// TestAutoNotTerminal: --progress on a file draws no live line, only the summary; =always draws
// plain lines (no \r) every interval.
func TestAutoNotTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	d := Start(f, Auto, Options{Label: "x", Interval: time.Millisecond})
	d.Meter(0).Add(7)
	time.Sleep(20 * time.Millisecond) // intervals that must draw nothing
	d.Finish()
	d.Finish() // once only
	b, _ := os.ReadFile(f.Name())
	if !strings.HasPrefix(string(b), "ipcx: x: 7 bytes ") || strings.Count(string(b), "\n") != 1 {
		t.Fatalf("auto on a file wrote %q, want the summary only", b)
	}

	var buf syncBuffer
	d = Start(&buf, Always, Options{Label: "x", Interval: time.Millisecond, Terminal: &no})
	for !strings.Contains(buf.String(), "\n") {
		time.Sleep(time.Millisecond)
	}
	d.Println("ipcx: x: a line of its own")
	d.Finish()
	out := buf.String()
	if strings.Contains(out, "\r") || strings.Count(out, "ipcx: x: 0 bytes 0B/s in ") != 1 || !strings.Contains(out, "\nipcx: x: a line of its own\n") {
		t.Fatalf("always on a file wrote %q", out)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// openPTY opens a pseudo-terminal: the master (what the terminal shows) and the slave.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("no /dev/ptmx: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("cannot open the pty's slave: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// TestTerminal: on a real terminal, --progress redraws one line in place (\r ... \x1b[K), a line
// printed meanwhile clears it first, and the summary ends it with a newline.
func TestTerminal(t *testing.T) {
	master, slave := openPTY(t)
	if !iostreams.IsTerminal(slave) {
		t.Fatal("the pty's slave is not a terminal")
	}
	// no output processing: the bytes written are the bytes read
	tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	tio.Oflag &^= unix.OPOST
	if err := unix.IoctlSetTermios(int(slave.Fd()), unix.TCSETS, tio); err != nil {
		t.Fatal(err)
	}
	d := Start(slave, Auto, Options{Label: "fifo /f", Interval: 5 * time.Millisecond})
	d.Meter(0).Add(2048)
	r := bufio.NewReader(master)
	// the first live line
	readUntil(t, r, "\r")
	if got := readUntil(t, r, "\x1b[K"); !strings.HasPrefix(got, "ipcx: fifo /f: 2.0K ") {
		t.Fatalf("live line %q", got)
	}
	// a redraw in place
	d.Meter(0).Add(2048)
	for {
		readUntil(t, r, "\r")
		if got := readUntil(t, r, "\x1b[K"); strings.HasPrefix(got, "ipcx: fifo /f: 4.0K ") {
			break
		}
	}
	d.Println("ipcx: fifo /f: between")
	if got := readUntil(t, r, "\n"); !strings.HasSuffix(got, "\r\x1b[Kipcx: fifo /f: between\n") {
		t.Fatalf("a line printed over the live line: %q", got)
	}
	// drawn again at the next interval, then the summary over it
	readUntil(t, r, "\x1b[K")
	d.Finish()
	last := readUntil(t, r, "\n")
	if i := strings.LastIndex(last, "\r"); i < 0 || !strings.HasPrefix(last[i:], "\ripcx: fifo /f: 4096 bytes (4.0K) ") || !strings.HasSuffix(last, "\x1b[K\n") {
		t.Fatalf("summary %q, want it drawn over the live line", last)
	}
}

// readUntil reads from the pty until delim, with a deadline.
func readUntil(t *testing.T, r *bufio.Reader, delim string) string {
	t.Helper()
	type res struct {
		s   string
		err error
	}
	ch := make(chan res, 1)
	go func() {
		var b strings.Builder
		for !strings.HasSuffix(b.String(), delim) {
			c, err := r.ReadByte()
			if err != nil {
				ch <- res{b.String(), err}
				return
			}
			b.WriteByte(c)
		}
		ch <- res{b.String(), nil}
	}()
	select {
	case x := <-ch:
		if x.err != nil {
			t.Fatalf("reading the terminal: %v (after %q)", x.err, x.s)
		}
		return x.s
	case <-time.After(20 * time.Second):
		t.Fatalf("the terminal did not show %q", delim)
	}
	return ""
}

// TestWriterReader: the counting wrappers count what passed, and a failed write on standard
// output is an OutputError.
func TestWriterReader(t *testing.T) {
	m := &Meter{}
	var buf bytes.Buffer
	w := Writer{W: &buf, M: m}
	io.Copy(w, Reader{R: strings.NewReader("hello world"), M: m})
	if buf.String() != "hello world" || m.Bytes() != 22 {
		t.Fatalf("wrote %q, counted %d (want 11 read + 11 written)", buf.String(), m.Bytes())
	}
	r, wp, _ := os.Pipe()
	r.Close()
	signalIgnored := wp // EPIPE, not SIGPIPE: Go ignores SIGPIPE on other descriptors than 1 and 2
	_, err := Writer{W: signalIgnored, M: m}.Write([]byte("x"))
	wp.Close()
	if err == nil || iostreams.IsOutputError(err) || !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("a failed write on a pipe: %v, want EPIPE as it is", err)
	}
}

// TestTickWaitsInTheKernel: the live line's clock is a ppoll(2) on an eventfd, not a Go timer.
// A pending Go timer makes the runtime's idle thread poll the network each time a relay's
// goroutine comes back from a blocking splice: 11,000 epoll_pwait calls and 6% of the
// throughput for 2 GiB over a UNIX socket (scripts/bench progress). And Finish is seen at once,
// an hour before the next line is due.
func TestTickWaitsInTheKernel(t *testing.T) {
	var buf bytes.Buffer
	d := Start(&buf, Always, Options{Label: "x", Interval: time.Hour, Terminal: &no})
	var stack string
	for i := 0; ; i++ {
		stack = tickStack()
		if strings.Contains(stack, "[syscall") || i == 1000 {
			break
		}
		time.Sleep(time.Millisecond) // waiting for the goroutine to reach its system call
	}
	if !strings.Contains(stack, "[syscall") || !strings.Contains(stack, "unix.Ppoll") || strings.Contains(stack, "time.") {
		t.Errorf("the display's goroutine does not wait in ppoll:\n%s", stack)
	}
	done := make(chan struct{})
	go func() { d.Finish(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Finish did not stop the display within 10 s of an hour's interval")
	}
	if s := tickStack(); s != "" {
		t.Errorf("the display's goroutine is still there after Finish:\n%s", s)
	}
	if !strings.HasPrefix(buf.String(), "ipcx: x: 0 bytes ") || strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("output %q, want only the final line", buf.String())
	}
}

// tickStack is the stack of the goroutine running a Display's tick, "" when there is none.
func tickStack() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "progress.(*Display).tick") {
			return g
		}
	}
	return ""
}
