package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/progress"
	"github.com/ipcx/ipcx/internal/units"
	"github.com/spf13/cobra"
)

// pipeStatuses are the values --status takes.
var pipeStatuses = []string{"all"}

type pipeOptions struct {
	io     *iostreams.IOStreams
	stages [][]string
	status string
	size   string
	progressFlag
}

func newPipeCmd(io *iostreams.IOStreams, runF func(*pipeOptions) error) *cobra.Command {
	opts := &pipeOptions{io: io}
	c := &cobra.Command{
		Use:   "pipe [flags] -- CMD [ARG...] -- CMD [ARG...] [-- ...]",
		Short: "Join commands with pipes, like a shell's |",
		Long: `Run commands joined by unnamed pipes, each command's standard output the next one's standard
input, as a shell's | does (pipe(2), fork, exec): ipcx pipe -- ls -- wc prints what ls | wc prints.
Commands are run directly, not through a shell; separate them with --.

The exit status is that of set -o pipefail: the status of the last command that failed, 0 when all
succeeded; a command killed by signal N counts as 128+N. A command that cannot be started stops
the pipeline before it runs: 127 when it is not found, 126 when it cannot be executed. --status all prints each command's status
on standard error.

--size sets every pipe's capacity (F_SETPIPE_SZ; the kernel rounds up to a power of two pages); it
may not exceed /proc/sys/fs/pipe-max-size. --progress puts a relay between every two commands that
moves the data with splice(2), without copying it, and counts the bytes through each pipe ("1>2"
is the pipe from the first command to the second). The relay moves a fast stream in batches of up
to half a pipe rather than one wake-up per write, and holds data back at most a millisecond.

` + progressHelp + `
` + exitStatusHelp,
		Example: `  $ ipcx pipe -- ls -l -- wc -l
  $ ipcx pipe --status all -- sh -c 'exit 3' -- cat
  $ ipcx pipe --progress -- head -c 4G /dev/zero -- cat > /dev/null
  $ ipcx pipe --size 1M -- producer -- consumer
  $ ipcx pipe info`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return failure.Usagef("pipe: want commands separated by -- (see: %s --help)", c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			stages, err := splitStages(args)
			if err != nil {
				return err
			}
			opts.stages = stages
			if runF != nil {
				return runF(opts)
			}
			return pipeRun(opts)
		},
	}
	c.Flags().SetInterspersed(false)
	c.Flags().StringVar(&opts.status, "status", "", "all: print each command's exit status on standard error")
	completeFrom(c, "status", pipeStatuses)
	c.Flags().StringVar(&opts.size, "size", "", "capacity of every pipe (like 1M)")
	opts.registerProgress(c, "the bytes through each pipe")
	c.AddCommand(newPipeInfoCmd(io, nil))
	return groupObjects(c)
}

// splitStages splits the arguments at each "--" into commands.
func splitStages(args []string) ([][]string, error) {
	var stages [][]string
	cur := []string{}
	for _, a := range args {
		if a == "--" {
			stages = append(stages, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, a)
	}
	stages = append(stages, cur)
	if len(stages) > 0 && len(stages[0]) == 0 {
		stages = stages[1:] // a leading --
	}
	for i, s := range stages {
		if len(s) == 0 {
			return nil, failure.Usagef("pipe: command %d is empty: two -- in a row or a -- at the end", i+1)
		}
	}
	if len(stages) == 0 {
		return nil, failure.Usagef("pipe: no command given")
	}
	return stages, nil
}

func pipeObject(stages [][]string) failure.Object {
	var names []string
	for _, s := range stages {
		names = append(names, s[0])
	}
	return failure.Object{Noun: "pipe", What: "pipeline", Addr: strings.Join(names, " | ")}
}

func pipeRun(opts *pipeOptions) error {
	if opts.status != "" && !slices.Contains(pipeStatuses, opts.status) {
		return failure.Usagef("--status takes only the value all")
	}
	mode, err := opts.progressMode()
	if err != nil {
		return err
	}
	p := &posix.Pipeline{Stages: opts.stages}
	obj := pipeObject(opts.stages)
	if opts.size != "" {
		n, err := units.ParseSize(opts.size)
		if err != nil || n <= 0 {
			return failure.Usagef("invalid --size %q: want a size such as 64K or 1M", opts.size)
		}
		if err := posix.CheckPipeSize(n); err != nil {
			return failure.Newf(failure.Failure, "pipe: --size %s: %v", opts.size, err).WithHint("see the limits with: ipcx pipe info")
		}
		p.Size = int(n)
	}
	in, inDone, err := posix.InputFile(opts.io.In)
	if err != nil {
		return obj.Explain(err)
	}
	defer inDone()
	out, outDone, err := posix.OutputFile(opts.io.Out)
	if err != nil {
		return obj.Explain(err)
	}
	errOut, errDone, err := posix.OutputFile(opts.io.ErrOut)
	if err != nil {
		return obj.Explain(err)
	}
	p.Stdin, p.Stdout, p.Stderr = in, out, errOut
	// --progress counts each pipe with a relay; a single command has none to count.
	var d *progress.Display
	if mode != progress.Off && len(opts.stages) > 1 {
		var names []string
		for i := 1; i < len(opts.stages); i++ {
			names = append(names, fmt.Sprintf("%d>%d", i, i+1))
		}
		d = progress.Start(errOut, mode, progress.Options{Label: "pipe", Streams: names})
		for i := range names {
			p.Counts = append(p.Counts, d.Meter(i).Counter())
		}
	}
	// Ctrl-C reaches the commands from the terminal as in a shell; ipcx outlives them, then kills
	// what is left (SIGKILL) and exits 128+N, as it does for SIGTERM.
	ctx, stop := interruptContext(context.Background())
	defer stop()
	st, err := p.Run(ctx)
	d.Finish() // before errDone: the summary is written through errOut
	outDone()
	errDone()
	if err != nil {
		// as a shell: 127 for a command not found, 126 for one that cannot be executed
		return failure.Object{Noun: "pipe", Name: "pipe"}.Explain(err)
	}
	if ctx.Err() != nil {
		return &failure.Silent{Code: failure.SignalBase + int(interruptSignal())}
	}
	if opts.status == "all" {
		for i, s := range st {
			fmt.Fprintf(opts.io.ErrOut, "ipcx: pipe: %d %s: %s\n", i+1, strings.Join(s.Argv, " "), s)
		}
	}
	if code := posix.PipefailStatus(st); code != 0 {
		return &failure.Silent{Code: code}
	}
	return nil
}
