package sock

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ipcx/ipcx/internal/iostreams"
)

// Handler is what Serve does with each connection or datagram.
type Handler int

const (
	// HandlePrint copies what arrives to Config.Out: each connection's bytes in turn (whole writes, when
	// connections are served at the same time), each datagram's payload.
	HandlePrint Handler = iota
	// HandleCount reads what arrives and only counts it: the events carry it.
	HandleCount
	// HandleEcho sends everything back to the sender ([Echo] for connections).
	HandleEcho
	// HandleHTTPEcho answers each connection with an HTTP response showing the request ([HTTPEcho]).
	HandleHTTPEcho
	// HandleExec runs Config.Exec per connection, inetd style ([Exec]).
	HandleExec
)

// Config says how Serve serves a listener.
type Config struct {
	Handler Handler
	Exec    []string  // HandleExec: the command's argv
	Out     io.Writer // HandlePrint: where the data goes
	Stderr  io.Writer // HandleExec: the command's standard error

	// Keep serves connections at the same time, at most MaxConns at once (64 when 0); without it
	// they are served one after the other. Datagram sockets serve every datagram anyway.
	Keep     bool
	MaxConns int
	// Once returns after the first connection or datagram.
	Once bool
	// Timeout bounds each wait for a connection or datagram (0: no bound): when it passes, Serve
	// returns an *IdleError.
	Timeout time.Duration
	// Count, when not nil, gets the bytes received on connections added as they arrive (for a
	// progress display); HandleExec's command reads them itself, uncounted. Datagrams are
	// counted by their events.
	Count *atomic.Int64
}

// EventKind says what an Event reports.
type EventKind string

const (
	Connection EventKind = "connection" // a connection was served, and has ended
	Datagram   EventKind = "datagram"   // a datagram was received (and echoed)
)

// ErrNoReplyAddr is an Event's EchoErr for a datagram whose sender's socket has no address: an
// unbound UNIX datagram socket cannot be replied to.
var ErrNoReplyAddr = errors.New("its socket has no address to reply to")

// Event is what Serve reports of one connection or datagram.
type Event struct {
	Kind     EventKind
	Peer     Peer
	BytesIn  int64 // received from the peer
	BytesOut int64 // sent to the peer
	Status   *int  // HandleExec: the command's exit status
	// Data is a datagram's payload, valid during the callback only.
	Data []byte
	// Err is how a connection failed (nil when it ended well, or when Serve was stopped).
	Err error
	// EchoErr is why a datagram could not be echoed (ErrNoReplyAddr, or sendto(2)'s error).
	EchoErr error
}

// Serve serves l until ctx ends, the wait for a connection or datagram fails or passes
// Config.Timeout (*IdleError), or, with Once, after the first one. onEvent, when not nil, is told
// of each connection when it ends and of each datagram, one call at a time; an error it returns
// stops Serve as a failed output does: every connection ends, and Serve returns an *OutputError.
// With Keep, Serve returns once the connections being served have ended. A stop by ctx returns
// ctx's error (context.Canceled).
func Serve(ctx context.Context, l *Listener, cfg Config, onEvent func(Event) error) error {
	s := &server{l: l, cfg: cfg, onEvent: onEvent}
	if s.cfg.MaxConns <= 0 {
		s.cfg.MaxConns = 64
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	defer s.cancel()
	if l.addr.Kind.IsDatagram() {
		return s.datagrams()
	}
	return s.connections()
}

type server struct {
	l       *Listener
	cfg     Config
	onEvent func(Event) error
	ctx     context.Context
	cancel  context.CancelFunc

	mu     sync.Mutex // serializes onEvent and the writes to cfg.Out
	outErr error      // set once the output has failed: Serve ends with it
}

// report passes ev to onEvent; its failure stops Serve.
func (s *server) report(ev Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.onEvent == nil {
		return nil
	}
	if err := s.onEvent(ev); err != nil {
		return s.outputFailedLocked(err)
	}
	return nil
}

func (s *server) outputFailedLocked(err error) error {
	if s.outErr == nil {
		s.outErr = &OutputError{Err: err}
		s.cancel()
	}
	return s.outErr
}

// stopped is the error Serve returns for err: the output's failure when there was one.
func (s *server) stopped(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.outErr != nil {
		return s.outErr
	}
	return err
}

// wait returns the context of one wait for a connection or datagram.
func (s *server) wait() (context.Context, context.CancelFunc) {
	if s.cfg.Timeout > 0 {
		return context.WithTimeout(s.ctx, s.cfg.Timeout)
	}
	return context.WithCancel(s.ctx)
}

// waitFailed is the error of a failed wait: an expired one is an *IdleError.
func (s *server) waitFailed(err error) error {
	if errors.Is(err, ErrTimedOut) || errors.Is(err, context.DeadlineExceeded) {
		err = &IdleError{Timeout: s.cfg.Timeout}
	}
	return s.stopped(err)
}

func (s *server) datagrams() error {
	buf := make([]byte, s.l.DatagramBufSize())
	for {
		wctx, cancel := s.wait()
		n, peer, err := s.l.ReadDatagram(wctx, buf)
		cancel()
		if err != nil {
			return s.waitFailed(err)
		}
		ev := Event{Kind: Datagram, Peer: peer, BytesIn: int64(n), Data: buf[:n]}
		if s.cfg.Handler == HandleEcho {
			if peer.Addr.Kind.IsUnix() && peer.Addr.Path == "" {
				ev.EchoErr = ErrNoReplyAddr
			} else if err := s.l.WriteDatagram(buf[:n], peer.Addr); err != nil {
				ev.EchoErr = err
			} else {
				ev.BytesOut = int64(n)
			}
		}
		if err := s.report(ev); err != nil {
			return err
		}
		if s.cfg.Handler == HandlePrint {
			if _, err := s.cfg.Out.Write(buf[:n]); err != nil {
				return &OutputError{Err: iostreams.Output(s.cfg.Out, err)}
			}
		}
		if s.cfg.Once {
			return nil
		}
	}
}

func (s *server) connections() error {
	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan struct{}, s.cfg.MaxConns)
	out := s.cfg.Out
	if s.cfg.Keep {
		out = &lockedWriter{w: s.cfg.Out, mu: &s.mu}
	}
	for {
		if s.cfg.Keep {
			select {
			case slots <- struct{}{}:
			case <-s.ctx.Done():
				return s.stopped(s.ctx.Err())
			}
		}
		wctx, cancel := s.wait()
		c, err := s.l.Accept(wctx)
		cancel()
		if err != nil {
			return s.waitFailed(err)
		}
		if s.cfg.Keep {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				s.serve(c, out)
			}()
			continue
		}
		if err := s.serve(c, out); err != nil {
			return err
		}
		if s.ctx.Err() != nil {
			return s.stopped(s.ctx.Err())
		}
		if s.cfg.Once {
			return nil
		}
	}
}

// serve handles one connection and reports it. Its error is the output's failure.
func (s *server) serve(c *Conn, out io.Writer) error {
	defer c.Close()
	stop := context.AfterFunc(s.ctx, func() { c.Close() })
	defer stop()
	ev := Event{Kind: Connection, Peer: c.Peer}
	c.blk.solo = !s.cfg.Keep && s.cfg.Handler == HandlePrint // served alone: its relay may block (blocking.go)
	var err error
	switch s.cfg.Handler {
	case HandleEcho:
		ev.BytesIn, err = echo(s.ctx, c, s.cfg.Count)
		ev.BytesOut = ev.BytesIn
	case HandleHTTPEcho:
		var req []byte
		req, err = HTTPEcho(s.ctx, c)
		ev.BytesIn = int64(len(req))
		if s.cfg.Count != nil {
			s.cfg.Count.Add(ev.BytesIn)
		}
	case HandleExec:
		var st int
		st, err = Exec(s.ctx, c, s.cfg.Exec, s.cfg.Stderr)
		ev.Status = &st
	case HandleCount:
		ev.BytesIn, err = Copy(io.Discard, c, s.cfg.Count)
	default:
		ev.BytesIn, err = Copy(out, c, s.cfg.Count)
		if errors.Is(err, ErrClosedPipe) || iostreams.IsOutputError(err) {
			// the output has gone (| head -c 1) or is full: every connection ends, and so
			// does Serve
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.outputFailedLocked(err)
		}
	}
	if s.ctx.Err() == nil {
		ev.Err = err
	}
	return s.report(ev)
}

// lockedWriter keeps each Write of concurrent connections whole on a shared output.
type lockedWriter struct {
	w   io.Writer
	mu  *sync.Mutex
	buf []byte // the connections' one buffer (copyFrom), under mu
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
