//go:build linux

// Package progress is the one progress display of ipcx's long transfers (pipe, sock send,
// connect and listen, fifo read and write, shm read and write, mq send and recv): a Meter of
// atomic counters that the data path adds to, one add per batch or message, and a Display that
// draws them on standard error every second and prints a final summary line when it is stopped.
//
// The rule, the same for every command: --progress draws the live line only when standard error
// is a terminal (redrawn in place with \r), and always prints the final summary; --progress=always
// draws it anyway, redrawn in place on a terminal, else as a plain line every second (as pv -f
// forces its display), for a log.
package progress

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/units"
	"golang.org/x/sys/unix"
)

// Meter counts what one stream has moved: bytes, and messages for the commands that move them.
// Its methods may be called from any goroutine, and on a nil *Meter, where they do nothing: a
// data path adds to its meter unconditionally, and a command without --progress passes nil.
type Meter struct {
	// Name tells this stream from the others of one Display ("sent", "1>2"); "" for the only one.
	Name     string
	bytes    atomic.Int64
	messages atomic.Int64
}

// Add counts n bytes.
func (m *Meter) Add(n int64) {
	if m != nil {
		m.bytes.Add(n)
	}
}

// AddMessage counts one message of n bytes.
func (m *Meter) AddMessage(n int) {
	if m != nil {
		m.messages.Add(1)
		m.bytes.Add(int64(n))
	}
}

// Counter is the meter's byte counter, for data paths that count into an *atomic.Int64
// (internal/sock's Copy, internal/posix's splice relay); nil for a nil meter.
func (m *Meter) Counter() *atomic.Int64 {
	if m == nil {
		return nil
	}
	return &m.bytes
}

// Bytes is the number of bytes counted so far.
func (m *Meter) Bytes() int64 {
	if m == nil {
		return 0
	}
	return m.bytes.Load()
}

// Messages is the number of messages counted so far.
func (m *Meter) Messages() int64 {
	if m == nil {
		return 0
	}
	return m.messages.Load()
}

// Mode says when the live line is drawn.
type Mode int

const (
	Off    Mode = iota // no display at all
	Auto               // the live line on a terminal only; the final summary always
	Always             // the live line always: in place on a terminal, a plain line per interval elsewhere
)

// ParseMode parses the value of --progress: "auto" (also what --progress alone means), "always",
// or "never".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "auto", "":
		return Auto, nil
	case "always":
		return Always, nil
	case "never":
		return Off, nil
	}
	return Off, fmt.Errorf("invalid --progress value %q: want auto, always or never", s)
}

// Options describe a Display.
type Options struct {
	// Label names what is moved, after "ipcx: ": "fifo /tmp/f", "sock tcp:127.0.0.1:9000".
	Label string
	// Streams names the meters, one per stream shown ("sent", "received"); nil is one unnamed
	// meter.
	Streams []string
	// Messages shows the message counts too.
	Messages bool
	// Extra, when not nil, adds its text to each line before the time ("3 connections").
	Extra func() string
	// Interval is the time between two live lines (one second when 0).
	Interval time.Duration
	// Terminal overrides the check of w (a terminal when w is an *os.File that is one), for tests.
	Terminal *bool
}

// Display draws the meters of one transfer on w. Its methods do nothing on a nil *Display: a
// command without --progress has none.
type Display struct {
	w        io.Writer
	o        Options
	meters   []*Meter
	tty      bool
	live     bool
	start    time.Time
	mu       sync.Mutex // orders the writes to w
	onScreen bool       // a live line is drawn on the terminal's last line
	last     []int64    // bytes of each meter at the last live line
	lastMsgs []int64
	lastAt   time.Time
	stop     chan struct{} // closed by Finish, for tickTimer
	efd      int           // written by Finish, for tick; -1 with tickTimer
	done     chan struct{}
	finished bool
}

// Start starts a display of o on w in mode m: nil when m is Off.
func Start(w io.Writer, m Mode, o Options) *Display {
	if m == Off {
		return nil
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	names := o.Streams
	if len(names) == 0 {
		names = []string{""}
	}
	d := &Display{w: w, o: o, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	for _, n := range names {
		d.meters = append(d.meters, &Meter{Name: n})
	}
	d.last, d.lastMsgs, d.lastAt = make([]int64, len(d.meters)), make([]int64, len(d.meters)), d.start
	if o.Terminal != nil {
		d.tty = *o.Terminal
	} else if f, ok := w.(*os.File); ok {
		d.tty = iostreams.IsTerminal(f)
	}
	d.live = m == Always || d.tty
	if !d.live {
		close(d.done)
		return d
	}
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		// no descriptor left: a Go ticker, with its cost (see tick)
		d.efd = -1
		go d.tickTimer()
		return d
	}
	d.efd = efd
	go d.tick()
	return d
}

// Meter is the i-th meter (in the order of Options.Streams); nil for a nil display.
func (d *Display) Meter(i int) *Meter {
	if d == nil {
		return nil
	}
	return d.meters[i]
}

// tick draws a live line every interval until Finish writes to d.efd. It waits in ppoll(2) on
// that eventfd, a blocking system call on a thread of its own, rather than on a Go timer: while a
// timer is pending, the Go runtime's idle thread polls the network poller each time the
// transfer's goroutine comes back from a blocking splice, so a relay that blocks in the kernel
// thousands of times a second pays a second thread's wake-up for each (strace -f -c of sock
// listen --progress=always, 2 GiB over a UNIX socket: 10,896 epoll_pwait calls with a ticker,
// 124 without; wall time 1.48 s against 1.36 s without --progress, 1.375 s with ppoll; the
// 1 Hz ticker of golang/go#25471 is the same cost). A Finish is seen at once.
func (d *Display) tick() {
	defer close(d.done)
	defer unix.Close(d.efd)
	fds := []unix.PollFd{{Fd: int32(d.efd), Events: unix.POLLIN}}
	next := time.Now().Add(d.o.Interval)
	for {
		ts := unix.NsecToTimespec(max(int64(time.Until(next)), 0))
		n, err := unix.Ppoll(fds, &ts, nil)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil || n > 0:
			// Finish's write (an eventfd cannot fail otherwise)
			return
		}
		now := time.Now()
		if now.Before(next) {
			continue
		}
		for !next.After(now) {
			next = next.Add(d.o.Interval)
		}
		d.draw()
	}
}

// tickTimer is tick on a Go ticker, for when no eventfd could be made.
func (d *Display) tickTimer() {
	defer close(d.done)
	t := time.NewTicker(d.o.Interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			d.draw()
		case <-d.stop:
			return
		}
	}
}

// draw writes a live line: in place on a terminal, a line of its own elsewhere.
func (d *Display) draw() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.finished {
		return
	}
	now := time.Now()
	line := d.line(now, false)
	if d.tty {
		fmt.Fprintf(d.w, "\r%s\x1b[K", line)
		d.onScreen = true
		return
	}
	fmt.Fprintln(d.w, line)
}

// Println prints a line of its own (a connection that ended, an error) without tearing the live
// line: on a terminal the live line is cleared first and drawn again at the next interval.
func (d *Display) Println(line string) {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.onScreen {
		io.WriteString(d.w, "\r\x1b[K")
		d.onScreen = false
	}
	fmt.Fprintln(d.w, line)
}

// Writer returns a writer for other messages to the display's output (see Println): each write
// clears the live line first. w itself for a nil display.
func (d *Display) Writer(w io.Writer) io.Writer {
	if d == nil {
		return w
	}
	return clearingWriter{d}
}

type clearingWriter struct{ d *Display }

func (c clearingWriter) Write(p []byte) (int, error) {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	if c.d.onScreen {
		io.WriteString(c.d.w, "\r\x1b[K")
		c.d.onScreen = false
	}
	return c.d.w.Write(p)
}

// Finish stops the live line and prints the final summary, with the exact counts. It may be
// called more than once (a deferred call after an explicit one): only the first prints.
func (d *Display) Finish() {
	if d == nil {
		return
	}
	d.mu.Lock()
	if d.finished {
		d.mu.Unlock()
		return
	}
	d.finished = true
	d.mu.Unlock()
	if d.live {
		close(d.stop)
		if d.efd >= 0 {
			// tick returns when it sees this, and only then closes d.efd
			unix.Write(d.efd, []byte{1, 0, 0, 0, 0, 0, 0, 0})
		}
	}
	<-d.done
	d.mu.Lock()
	defer d.mu.Unlock()
	line := d.line(time.Now(), true)
	if d.onScreen {
		fmt.Fprintf(d.w, "\r%s\x1b[K\n", line)
		d.onScreen = false
		return
	}
	fmt.Fprintln(d.w, line)
}

// line formats the meters. A live line shows human sizes and the rate since the last line; the
// final line the exact counts and the mean rate:
//
//	ipcx: fifo /tmp/f: 10M 8.5M/s  1.2s
//	ipcx: fifo /tmp/f: 10485760 bytes (10M) 8.5M/s in 1.2s
//	ipcx: mq /jobs: 1000 msgs 833/s 31K 26K/s  1.2s
//	ipcx: mq /jobs: 1000 messages 833/s, 32000 bytes (31K) 26K/s in 1.2s
func (d *Display) line(now time.Time, final bool) string {
	var b strings.Builder
	b.WriteString("ipcx: ")
	b.WriteString(d.o.Label)
	b.WriteString(":")
	since, dt := now.Sub(d.start), now.Sub(d.lastAt)
	if final {
		dt = since
	}
	for i, m := range d.meters {
		n, k := m.Bytes(), m.Messages()
		dn, dk := n-d.last[i], k-d.lastMsgs[i]
		if final {
			dn, dk = n, k
		}
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(" ")
		if m.Name != "" {
			b.WriteString(m.Name)
			b.WriteString(" ")
		}
		if d.o.Messages {
			if final {
				b.WriteString(Count(k, "message"))
			} else {
				b.WriteString(strconv.FormatInt(k, 10) + " msgs")
			}
			b.WriteString(" " + rate(dk, dt, false))
			if final {
				b.WriteString(",")
			}
			b.WriteString(" ")
		}
		if final {
			b.WriteString(Count(n, "byte"))
			if n >= 1024 {
				b.WriteString(" (" + units.Human(n) + ")")
			}
		} else {
			b.WriteString(human(n))
		}
		b.WriteString(" " + rate(dn, dt, true))
		if !final {
			d.last[i], d.lastMsgs[i] = n, k
		}
	}
	if !final {
		d.lastAt = now
	}
	if d.o.Extra != nil {
		if x := d.o.Extra(); x != "" {
			b.WriteString(", " + x)
		}
	}
	if final {
		b.WriteString(" in ")
	} else {
		b.WriteString("  ")
	}
	b.WriteString(Elapsed(since))
	return b.String()
}

// Count is "1 byte", "2 bytes": n and word, plural unless n is 1.
func Count(n int64, word string) string {
	s := strconv.FormatInt(n, 10) + " " + word
	if n != 1 {
		s += "s"
	}
	return s
}

// rate is n per dt: "8.5M/s" for bytes, "833/s" for messages.
func rate(n int64, dt time.Duration, bytes bool) string {
	r := int64(0)
	if dt > 0 {
		r = int64(float64(n) / dt.Seconds())
	}
	if bytes {
		return human(r) + "/s"
	}
	return strconv.FormatInt(r, 10) + "/s"
}

// human is units.Human with a B for the counts below 1K: 512B, 1.5K, 10M.
func human(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + "B"
	}
	return units.Human(n)
}

// Elapsed formats a duration as the lines show it: 0.0s, 1.2s, 1m05.3s, 1h02m03s.
func Elapsed(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%04.1fs", int(d/time.Minute), (d % time.Minute).Seconds())
	}
	return fmt.Sprintf("%dh%02dm%02ds", int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second))
}

// Writer counts what is written through it into M, one add per write. A failed write is
// reported as iostreams.Output reports a failed write on W (an *iostreams.OutputError for
// standard output).
type Writer struct {
	W io.Writer
	M *Meter
}

func (w Writer) Write(p []byte) (int, error) {
	n, err := w.W.Write(p)
	w.M.Add(int64(n))
	if err != nil {
		err = iostreams.Output(w.W, err)
	}
	return n, err
}

// Reader counts what is read through it into M, one add per read.
type Reader struct {
	R io.Reader
	M *Meter
}

func (r Reader) Read(p []byte) (int, error) {
	n, err := r.R.Read(p)
	r.M.Add(int64(n))
	return n, err
}
