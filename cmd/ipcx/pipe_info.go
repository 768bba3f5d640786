package main

import (
	"fmt"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

type pipeInfoOptions struct {
	io   *iostreams.IOStreams
	json bool
}

// pipeInfo is what pipe info reports.
type pipeInfo struct {
	PipeBuf         int   `json:"pipeBuf"`
	DefaultCapacity int   `json:"defaultCapacity"`
	MaxSize         int   `json:"maxSize"`
	UserPagesSoft   int64 `json:"userPagesSoft"`
	UserPagesHard   int64 `json:"userPagesHard"`
	PageSize        int   `json:"pageSize"`
}

func newPipeInfoCmd(io *iostreams.IOStreams, runF func(*pipeInfoOptions) error) *cobra.Command {
	opts := &pipeInfoOptions{io: io}
	c := &cobra.Command{
		Use:   "info",
		Short: "Show pipe sizes and limits",
		Long: `Show the sizes and limits of pipes and FIFOs (pipe(7)): PIPE_BUF, the most bytes a write keeps
together; the capacity of a new pipe; the largest capacity --size may ask
(/proc/sys/fs/pipe-max-size); and the per-user page limits above which new pipes get one page
(pipe-user-pages-soft) or none may grow (pipe-user-pages-hard; 0 means no limit).

` + exitStatusHelp,
		Example: `  $ ipcx pipe info
  $ ipcx pipe info --json`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return pipeInfoRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return c
}

func pipeInfoRun(opts *pipeInfoOptions) error {
	l, err := posix.PipeInfo()
	if err != nil {
		return failure.Newf(failure.Failure, "pipe info: %v", err)
	}
	info := pipeInfo{PipeBuf: l.PipeBuf, DefaultCapacity: l.DefaultCapacity, MaxSize: l.MaxSize,
		UserPagesSoft: l.UserPagesSoft, UserPagesHard: l.UserPagesHard, PageSize: l.PageSize}
	if opts.json {
		return render.JSON(opts.io.Out, info)
	}
	cols := []render.Column[pipeInfo]{
		{Header: "PIPE_BUF", Value: func(i pipeInfo) string { return fmt.Sprint(i.PipeBuf) }},
		{Header: "DEFAULT", Value: func(i pipeInfo) string { return render.Size(int64(i.DefaultCapacity), false) },
			Human: func(i pipeInfo) string { return render.Size(int64(i.DefaultCapacity), true) }},
		{Header: "MAX", Value: func(i pipeInfo) string { return render.Size(int64(i.MaxSize), false) },
			Human: func(i pipeInfo) string { return render.Size(int64(i.MaxSize), true) }},
		{Header: "USER-PAGES-SOFT", Value: func(i pipeInfo) string { return fmt.Sprint(i.UserPagesSoft) }},
		{Header: "USER-PAGES-HARD", Value: func(i pipeInfo) string { return fmt.Sprint(i.UserPagesHard) }},
		{Header: "PAGE", Value: func(i pipeInfo) string { return fmt.Sprint(i.PageSize) }},
	}
	return render.Table(opts.io.Out, opts.io.OutTTY, cols, []pipeInfo{info})
}
