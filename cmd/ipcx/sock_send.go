package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/progress"
	"github.com/ipcx/ipcx/internal/sock"
	"github.com/spf13/cobra"
)

type sockSendOptions struct {
	io   *iostreams.IOStreams
	addr string
	data *string
	timeoutFlag
	progressFlag
}

func newSockSendCmd(io *iostreams.IOStreams, runF func(*sockSendOptions) error) *cobra.Command {
	opts := &sockSendOptions{io: io}
	c := &cobra.Command{
		Use:   "send ADDR [DATA]",
		Short: "Send data to a socket and exit",
		Long: `Send DATA, exactly as given, or else all of standard input, to ADDR and exit. On a stream socket
the sending side is then shut down and send waits for the peer to close, reading and discarding
any reply, so that nothing sent is lost to a reset. On a datagram or seqpacket socket the data is
one message (at most 64 KiB).

--timeout bounds the whole send (exit 124); it must be positive: a connection is never made, nor
a peer's close seen, without waiting.

` + progressHelp + `
` + sockAddrHelp + `
` + exitStatusHelp,
		Example: `  $ ipcx sock send unix-dgram:/run/app.sock reload
  $ ipcx sock send udp:127.0.0.1:5140 'a log line'
  $ ipcx sock send tcp:127.0.0.1:9000 < backup.tar
  $ ipcx sock send --progress unix:/run/backup.sock < disk.img`,
		Args: rangeArgs(1, 2, "an address and optional data"),
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr = args[0]
			if len(args) == 2 {
				opts.data = &args[1]
			}
			if runF != nil {
				return runF(opts)
			}
			return sockSendRun(opts)
		},
	}
	opts.registerTimeout(c, "give up after this long: exit 124 (positive; leave out for no limit)")
	opts.registerProgress(c, "the bytes sent")
	return c
}

func sockSendRun(opts *sockSendOptions) error {
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
	ctx, cancel := opts.context(ctx)
	defer cancel()
	var in io.Reader = opts.io.In
	if opts.data != nil {
		in = strings.NewReader(*opts.data)
	}
	d := opts.startProgress(opts.io, progress.Options{Label: obj.String()})
	n, err := sock.SendCounted(ctx, a, in, d.Meter(0).Counter())
	d.Finish()
	if errors.Is(err, sock.ErrPeerStillOpen) {
		// Everything was sent; the peer held the connection open while ipcx waited for it to close.
		sent := fmt.Sprintf("sent %d bytes, then", n)
		if failure.TimedOut(err) {
			return obj.Explain(&failure.Progress{Before: sent, Err: opts.wait("", "the peer did not close the connection", "within", err)})
		}
		return obj.Explain(&failure.Progress{Before: sent, After: " while waiting for the peer to close the connection", Err: err})
	}
	if err != nil {
		return connectFail(obj, err, opts.timeout)
	}
	return nil
}
