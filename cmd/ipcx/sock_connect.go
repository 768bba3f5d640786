package main

import (
	"context"
	"time"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/progress"
	"github.com/ipcx/ipcx/internal/sock"
	"github.com/spf13/cobra"
)

type sockConnectOptions struct {
	io   *iostreams.IOStreams
	addr string
	timeoutFlag
	progressFlag
}

func newSockConnectCmd(io *iostreams.IOStreams, runF func(*sockConnectOptions) error) *cobra.Command {
	opts := &sockConnectOptions{io: io}
	c := &cobra.Command{
		Use:   "connect ADDR",
		Short: "Connect to a socket: standard input to it, its replies to standard output",
		Long: `Connect to ADDR and copy standard input to the socket and the socket to standard output, both
directions at once. When standard input ends, the sending side is shut down (shutdown(2)
SHUT_WR) and the reply is still read to its end: a server that answers after reading everything
is answered in full. connect exits when the peer has closed its side and standard input has
ended (a terminal is not waited for once the peer has closed).

Datagram sockets send one datagram per read of standard input and wait half a second for the last
replies after it ends. --timeout bounds the connect (exit 124); it must be positive: a connection
is never made without waiting.

` + progressHelp + `
` + sockAddrHelp + `
` + exitStatusHelp,
		Example: `  $ printf 'GET / HTTP/1.0\r\n\r\n' | ipcx sock connect tcp:127.0.0.1:8080
  $ ipcx sock connect unix:/run/app.sock
  $ ipcx sock connect tcp:[::1]:7 < request.bin > reply.bin`,
		Args: exactArgs(1, "one address"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			if runF != nil {
				return runF(opts)
			}
			return sockConnectRun(opts)
		},
	}
	opts.registerTimeout(c, "wait at most this long for the connection: exit 124 after (positive; leave out for no limit)")
	opts.registerProgress(c, "the bytes sent and received")
	return c
}

func sockConnectRun(opts *sockConnectOptions) error {
	a, err := parseSockAddr(opts.addr)
	if err != nil {
		return err
	}
	if err := opts.positiveTimeout("a connection is never made without waiting"); err != nil {
		return err
	}
	if _, err := opts.progressMode(); err != nil {
		return err
	}
	obj := sockObject(a.String())
	ctx, stop := interruptContext(context.Background())
	defer stop()
	conn, err := dialTimeout(ctx, a, opts.timeout)
	if err != nil {
		return connectFail(obj, err, opts.timeout)
	}
	defer conn.Close()
	d := opts.startProgress(opts.io, progress.Options{Label: obj.String(), Streams: []string{"sent", "received"}})
	_, err = sock.RelayCounted(ctx, conn, opts.io.In, opts.io.Out, d.Meter(0).Counter(), d.Meter(1).Counter())
	d.Finish()
	// only our standard output can give EPIPE here: sending to a gone peer is not an error
	return readFail(obj, err)
}

func dialTimeout(ctx context.Context, a sock.Addr, d time.Duration) (*sock.Conn, error) {
	if d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	return sock.Dial(ctx, a)
}

func connectFail(obj failure.Object, err error, d time.Duration) error {
	if d > 0 {
		err = &failure.Wait{Ended: "no connection", Prep: "within", Timeout: d, Err: err}
	}
	return obj.Explain(err)
}
