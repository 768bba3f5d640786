package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"os/signal"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/spf13/cobra"
)

type semRunOptions struct {
	io      *iostreams.IOStreams
	addr    string
	argv    []string
	index   int
	wait    waitFlags
	flagSet func(string) bool
}

func newSemRunCmd(io *iostreams.IOStreams, runF func(*semRunOptions) error) *cobra.Command {
	opts := &semRunOptions{io: io}
	c := &cobra.Command{
		Use:   "run ADDR [flags] -- CMD [ARG...]",
		Short: "Run a command holding one unit of a semaphore (flock for semaphores)",
		Long: `Wait for one unit of the semaphore, run CMD, and give the unit back when CMD ends, whatever its
fate: exit, killed by a signal, or ipcx itself interrupted. ipcx exits with CMD's status, 128+N
when a signal N killed it.

SIGNALS
While ipcx waits for the unit, SIGINT, SIGQUIT, SIGTERM and SIGHUP stop the wait: nothing is
taken, CMD does not run, and ipcx exits 128+N. While CMD runs, it is in ipcx's process group, so
Ctrl-C and Ctrl-\ on the terminal reach CMD directly, once; ipcx does not pass SIGINT or SIGQUIT
on again. SIGTERM and SIGHUP sent to ipcx (kill PID) are passed on to CMD. Either way the unit is
given back once CMD has ended. To interrupt CMD from elsewhere, send ipcx SIGTERM, or signal the
whole process group (kill -INT -PGID).

A semaphore created with --value N lets at most N such commands run at once; --value 1 makes a
mutex. The unit lasts as long as CMD, as flock(1)'s lock does: when ipcx is killed with -9, CMD
goes on running and keeps the unit. With a System V semaphore the unit is taken with SEM_UNDO,
shared with CMD, so the kernel gives it back once both ipcx and CMD have ended (processes CMD
starts in the background do not hold it); a POSIX semaphore has no undo (sem_open(3)): after a
kill -9 of ipcx its unit stays taken, also after CMD ends, until 'ipcx sem post' gives it back.

--nonblock does not wait (exit 5 when no unit is free); --timeout waits at most that long (exit
124; with --timeout 0, when no unit is free at once); CMD does not run then. For a System V set,
--index picks the semaphore (default 0).

` + exitStatusHelp + `
  126  CMD cannot be executed;  127  CMD not found`,
		Example: `  $ ipcx sem create /build --value 2
  $ ipcx sem run /build -- make -j4
  $ ipcx sem run /build --timeout 1m -- ./deploy.sh prod
  $ ipcx sem run key:0x1a2b --nonblock -- backup.sh || echo "another backup is running"`,
		Args: func(c *cobra.Command, args []string) error {
			if c.ArgsLenAtDash() != 1 || len(args) < 2 {
				return failure.Usagef("%s: want ADDR -- CMD [ARG...] (see: %s --help)", cmdPath(c), c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			opts.addr, opts.argv = args[0], args[1:]
			opts.flagSet = func(name string) bool { return c.Flags().Changed(name) }
			if runF != nil {
				return runF(opts)
			}
			return semRunRun(opts)
		},
	}
	c.Flags().IntVar(&opts.index, "index", 0, "System V: the semaphore of the set, from 0")
	opts.wait.register(c, "no unit is free")
	return c
}

func semRunRun(opts *semRunOptions) error {
	a, err := semTarget(opts.addr)
	if err != nil {
		return err
	}
	if err := opts.wait.validate(); err != nil {
		return err
	}
	s, obj, err := openSem(a, ipc.SemOptions{Index: opts.index, IndexSet: opts.flagSet("index")})
	if err != nil {
		return err
	}
	defer s.Close()

	// Until the unit is taken, a signal stops the wait. From then on ipcx does not die of one, so
	// that the unit is always given back: SIGTERM and SIGHUP (aimed at ipcx) are passed on to CMD;
	// SIGINT and SIGQUIT are not, since the terminal sends them to the whole foreground process
	// group, CMD included, and passing them on would deliver one Ctrl-C twice. Registering before
	// the wait leaves no gap.
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, sig.Interrupts...)
	defer signal.Stop(sigs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waiting := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			sig.RecordInterrupt(s)
			cancel()
		case <-waiting:
		}
	}()
	err = semTake(ctx, s, &opts.wait, true)
	close(waiting)
	if err != nil {
		return semWaitFail(obj, err, &opts.wait)
	}
	if ctx.Err() != nil {
		// A signal came just as the unit was taken: give it back and run nothing.
		s.Release()
		return semWaitFail(obj, ctx.Err(), &opts.wait)
	}

	cmd := exec.Command(opts.argv[0], opts.argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = opts.io.In, opts.io.Out, opts.io.ErrOut
	s.HoldFor(cmd) // the unit lasts as long as CMD, also past a kill -9 of ipcx
	if err := cmd.Start(); err != nil {
		if perr := s.Release(); perr != nil {
			failure.Print(opts.io.ErrOut, releaseFail(obj, perr))
		}
		return obj.Explain(&posix.StartError{Command: opts.argv[0], Err: err})
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if s == sig.SIGTERM.OS() || s == sig.SIGHUP.OS() {
					cmd.Process.Signal(s)
				}
			case <-done:
				return
			}
		}
	}()
	werr := cmd.Wait()
	close(done)
	if perr := s.Release(); perr != nil {
		failure.Print(opts.io.ErrOut, releaseFail(obj, perr))
		if werr == nil {
			return &failure.Silent{Code: failure.Failure}
		}
	}
	if werr == nil {
		return nil
	}
	return obj.Explain(&failure.Progress{Before: "cannot run the command:", Err: werr})
}

// releaseFail words a release that failed after CMD ran, naming the object once.
func releaseFail(obj failure.Object, err error) error {
	if errors.Is(err, ipc.ErrRemoved) {
		return failure.Newf(failure.Failure, "%s: the set was removed while CMD ran; there was no unit to give back", obj)
	}
	return obj.Explain(&failure.Progress{Before: "could not give the unit back:", Err: err})
}
