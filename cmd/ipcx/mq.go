package main

import (
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/msgio"
	"github.com/spf13/cobra"
)

// mqVerbs are mq's subcommands (newRootCmdFor builds one alone).
var mqVerbs = []verb{
	{"create", func(io *iostreams.IOStreams) *cobra.Command { return newMqCreateCmd(io, nil) }},
	{"send", func(io *iostreams.IOStreams) *cobra.Command { return newMqSendCmd(io, nil) }},
	{"recv", func(io *iostreams.IOStreams) *cobra.Command { return newMqRecvCmd(io, nil) }},
	{"stat", func(io *iostreams.IOStreams) *cobra.Command { return newMqStatCmd(io, nil) }},
	{"ls", func(io *iostreams.IOStreams) *cobra.Command { return newMqLsCmd(io, nil) }},
	{"rm", func(io *iostreams.IOStreams) *cobra.Command { return newMqRmCmd(io, nil) }},
	{"notify", func(io *iostreams.IOStreams) *cobra.Command { return newMqNotifyCmd(io, nil) }},
}

// newMqCmd builds mq with its subcommands: all, or the one named only (buildVerbs).
func newMqCmd(io *iostreams.IOStreams, only string) *cobra.Command {
	c := &cobra.Command{
		Use:   "mq",
		Short: "Message queues, POSIX (/name) and System V (key, id)",
		Long: `Message queues of both flavors: a /name is a POSIX queue (mq_overview(7)), a key or an id a
System V queue (msgget(2)).

` + exitStatusHelp,
		Example: `  $ ipcx mq create /jobs
  $ ipcx mq send /jobs hello world
  $ ipcx mq recv --count 2 /jobs
  $ ipcx mq create private
  $ ipcx mq ls`,
		Args: unknownSubcommand,
		RunE: func(c *cobra.Command, args []string) error { return nil },
	}
	c.AddCommand(buildVerbs(io, mqVerbs, only)...)
	return groupObjects(c)
}

func mqObject(a string) failure.Object {
	return failure.Object{Noun: "mq", What: "queue", Addr: a, Listable: true}
}

// delimiter returns the one-byte separator chosen by --delim or -0.
func delimiter(delim string, nul bool) (byte, error) {
	if nul {
		return 0, nil
	}
	b, err := msgio.ParseDelim(delim)
	if err != nil {
		return 0, failure.Usagef("--delim %v", err)
	}
	return b, nil
}
