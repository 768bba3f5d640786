package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/progress"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/ipcx/ipcx/internal/sock"
	"github.com/spf13/cobra"
)

type sockListenOptions struct {
	io       *iostreams.IOStreams
	addr     string
	keep     bool
	once     bool
	maxConns int
	echo     bool
	httpEcho bool
	exec     string
	json     bool
	timeoutFlag
	mode string
	progressFlag

	display *progress.Display // --progress
	conns   atomic.Int64      // connections ended, for the display
}

func newSockListenCmd(io *iostreams.IOStreams, runF func(*sockListenOptions) error) *cobra.Command {
	opts := &sockListenOptions{io: io}
	c := &cobra.Command{
		Use:   "listen ADDR",
		Short: "Listen on a socket: print, echo or serve what clients send",
		Long: `Listen on ADDR and print what clients send to standard output: for stream sockets each
connection's bytes in turn, for datagram sockets each datagram. The bound address goes to standard
error ("listening on tcp:127.0.0.1:40123"), which tells the port the kernel chose for port 0.

Instead of printing: --echo sends everything back; --http-echo answers each connection with an
HTTP/1.0 200 response whose body is the request; --exec CMD runs CMD (with sh -c) for each
connection with the socket as its standard input and output, inetd style, and the peer in its
environment: IPCX_PEER, and for UNIX sockets IPCX_PEER_PID, IPCX_PEER_UID and IPCX_PEER_GID
(SO_PEERCRED).

Connections are served one after the other; --keep serves them at the same time, at most
--max-conns at once. --once exits after the first connection or datagram. --timeout bounds each
wait for a connection or datagram (exit 124); it must be positive: nothing arrives without
waiting. --json prints one JSON object per line instead of the data: the listening address, then
each connection or datagram with its peer, byte counts and credentials (a datagram's payload
is in "data", or "dataBase64" when it is not text).

A UNIX socket file is made with mode 0600 unless --mode says otherwise; an existing file at the
path is never replaced: a socket file gives exit 4 (address in use), any other file exit 1. listen
removes the file it created when it exits, Ctrl-C and SIGTERM included, unless someone replaced it
meanwhile.

--progress counts the bytes received on all connections together, with the number of connections
that have ended, on one line (as pv draws one line for the stream; connections served at once
with --keep would otherwise fight over the terminal's last line), and prints a line for each
connection as it ends, with its peer and exact byte counts; on a datagram socket it counts the
datagrams and their bytes.
` + progressHelp + `
` + sockAddrHelp + `
` + exitStatusHelp,
		Example: `  $ ipcx sock listen unix:/tmp/app.sock
  $ ipcx sock listen --once tcp:127.0.0.1:0 > upload.bin
  $ ipcx sock listen --keep --echo unix:@echo
  $ ipcx sock listen --keep --http-echo tcp:127.0.0.1:8080
  $ ipcx sock listen --keep --exec 'echo hello $IPCX_PEER_UID' unix:/tmp/who.sock
  $ ipcx sock listen --json udp:127.0.0.1:5140`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			if runF != nil {
				return runF(opts)
			}
			return sockListenRun(opts)
		},
	}
	f := c.Flags()
	f.BoolVarP(&opts.keep, "keep", "k", false, "serve many connections at the same time")
	f.BoolVar(&opts.once, "once", false, "exit after the first connection or datagram")
	f.IntVar(&opts.maxConns, "max-conns", 64, "with --keep: the most connections served at once")
	f.BoolVar(&opts.echo, "echo", false, "send everything received back to the sender")
	f.BoolVar(&opts.httpEcho, "http-echo", false, "answer each connection with an HTTP response showing the request")
	f.StringVar(&opts.exec, "exec", "", "run this shell command per connection, the socket as its stdin and stdout")
	f.BoolVar(&opts.json, "json", false, "print one JSON event per line instead of the data")
	f.StringVar(&opts.mode, "mode", "0600", "permission bits of a UNIX socket file (connecting needs write permission)")
	opts.registerProgress(c, "the bytes received, the connections")
	opts.registerTimeout(c, "wait at most this long for each connection or datagram: exit 124 after (positive; leave out for no limit)")
	return c
}

func sockListenRun(opts *sockListenOptions) error {
	a, err := parseSockAddr(opts.addr)
	if err != nil {
		return err
	}
	cfg := sock.Config{Handler: sock.HandlePrint, Out: opts.io.Out, Stderr: opts.io.ErrOut,
		Keep: opts.keep, MaxConns: opts.maxConns, Once: opts.once, Timeout: opts.timeout}
	modes := 0
	for _, m := range []struct {
		on bool
		h  sock.Handler
	}{{opts.echo, sock.HandleEcho}, {opts.httpEcho, sock.HandleHTTPEcho}, {opts.exec != "", sock.HandleExec}} {
		if m.on {
			modes++
			cfg.Handler = m.h
		}
	}
	switch {
	case modes > 1:
		return failure.Usagef("--echo, --http-echo and --exec exclude each other")
	case a.Kind.IsDatagram() && (opts.httpEcho || opts.exec != ""):
		return failure.Usagef("--http-echo and --exec need a connection: %s is a datagram socket", a.Kind)
	case a.Kind.IsDatagram() && opts.keep:
		return failure.Usagef("--keep is for connections: a datagram socket serves every datagram anyway")
	case opts.maxConns < 1:
		return failure.Usagef("--max-conns must be at least 1")
	case opts.once && opts.keep:
		return failure.Usagef("--once and --keep exclude each other")
	}
	if err := opts.positiveTimeout("nothing arrives without waiting"); err != nil {
		return err
	}
	mode, err := parseMode(opts.mode)
	if err != nil {
		return err
	}
	if _, err := opts.progressMode(); err != nil {
		return err
	}
	if opts.exec != "" {
		cfg.Exec = []string{"/bin/sh", "-c", opts.exec}
	}
	if opts.json && cfg.Handler == sock.HandlePrint {
		cfg.Handler = sock.HandleCount
	}
	obj := sockObject(a.String())
	if f, ok := opts.io.OutFile(); ok && (cfg.Handler == sock.HandlePrint || opts.json) && iostreams.ClosedByRuntime(f) {
		// what arrives would vanish into the /dev/null the Go runtime put there
		return failure.Newf(failure.Failure, "%s: standard output is closed; nothing was listened for", obj).WithHint("redirect it to a file, a pipe or /dev/null (>/dev/null) to discard what arrives")
	}
	// Signals are caught before the socket file exists, so that it is removed whenever it does;
	// SIGPIPE too: a closed standard output (| head -c 1) is an EPIPE that ends the listener
	// with exit 141 after the file is removed, not a death that leaves the file behind.
	catchSIGPIPE()
	ctx, stop := interruptContext(context.Background())
	defer stop()
	l, err := sock.Listen(a, mode)
	if err != nil {
		obj.Verb = "listen"
		return obj.Explain(err)
	}
	defer l.Close()
	obj = sockObject(l.Addr().String())
	fmt.Fprintf(opts.io.ErrOut, "ipcx: sock: listening on %s\n", sock.Printable(l.Addr().String()))
	if opts.json {
		if err := render.JSONLine(opts.io.Out, sockEvent{Event: "listening", Time: time.Now().UTC(), Address: l.Addr().String()}); err != nil {
			return readFail(obj, err)
		}
	}
	if a.Kind.IsDatagram() {
		opts.display = opts.startProgress(opts.io, progress.Options{Label: obj.String(), Messages: true})
	} else {
		opts.display = opts.startProgress(opts.io, progress.Options{Label: obj.String(), Extra: func() string {
			return progress.Count(opts.conns.Load(), "connection")
		}})
		cfg.Count = opts.display.Meter(0).Counter()
	}
	err = sock.Serve(ctx, l, cfg, func(ev sock.Event) error { return opts.report(obj, ev) })
	opts.display.Finish()
	var oe *sock.OutputError
	if errors.As(err, &oe) {
		return readFail(obj, iostreams.Output(opts.io.Out, oe.Err))
	}
	return obj.Explain(err)
}

// report renders one connection or datagram: a JSON line with --json, and on stderr what went
// wrong with it.
func (opts *sockListenOptions) report(obj failure.Object, ev sock.Event) error {
	errOut := opts.display.Writer(opts.io.ErrOut)
	if d := opts.display; d != nil {
		if ev.Kind == sock.Datagram {
			d.Meter(0).AddMessage(int(ev.BytesIn))
		} else {
			opts.conns.Add(1)
			line := fmt.Sprintf("ipcx: %s: connection from %s: %s received", obj, peerString(ev.Peer), progress.Count(ev.BytesIn, "byte"))
			switch {
			case ev.Status != nil:
				// --exec: the command had the socket; ipcx saw none of its bytes
				line = fmt.Sprintf("ipcx: %s: connection from %s: the command exited %d", obj, peerString(ev.Peer), *ev.Status)
			case ev.BytesOut > 0:
				line += fmt.Sprintf(", %s sent", progress.Count(ev.BytesOut, "byte"))
			}
			d.Println(line)
		}
	}
	switch {
	case errors.Is(ev.EchoErr, sock.ErrNoReplyAddr):
		fmt.Fprintf(errOut, "ipcx: %s: cannot echo to %s: %v (bind it, as ipcx sock connect does, to get replies)\n", obj, peerString(ev.Peer), ev.EchoErr)
	case ev.EchoErr != nil:
		fmt.Fprintf(errOut, "ipcx: %s: echo to %s: %v\n", obj, peerString(ev.Peer), failure.Errno(ev.EchoErr))
	}
	if !opts.json {
		if ev.Err != nil {
			fmt.Fprintf(errOut, "ipcx: %s: connection from %s: %v\n", obj, peerString(ev.Peer), failure.Errno(ev.Err))
		}
		return nil
	}
	out := sockEvent{Event: string(ev.Kind), Time: time.Now().UTC(), BytesIn: &ev.BytesIn, BytesOut: &ev.BytesOut, Status: ev.Status}
	if !(ev.Peer.Addr.Kind.IsUnix() && ev.Peer.Addr.Path == "") {
		out.Peer = ev.Peer.Addr.String()
	}
	if p := ev.Peer.Cred; p != nil {
		out.PID, out.UID, out.GID = &p.PID, &p.UID, &p.GID
	}
	if ev.Err != nil {
		out.Error = failure.Errno(ev.Err).Error()
	}
	if ev.Kind == sock.Datagram {
		if utf8.Valid(ev.Data) {
			s := string(ev.Data)
			out.Data = &s
		} else {
			out.Data64 = base64.StdEncoding.EncodeToString(ev.Data)
		}
	}
	return render.JSONLine(opts.io.Out, out)
}
