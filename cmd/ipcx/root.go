package main

import (
	"errors"
	"runtime/debug"
	"strings"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/spf13/pflag"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise the module version.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

const exitStatusHelp = `EXIT STATUS
  0    success
  1    failure
  2    usage error (bad flag, argument or address)
  3    no such object
  4    object already exists
  5    would block (--nonblock: queue empty or full, semaphore unavailable)
  124  --timeout expired (--timeout 0 does not wait: 124 at once when nothing is ready)
  128+N  interrupted or killed by signal N (130 for Ctrl-C, 141 for a closed output pipe)`

func newRootCmd(io *iostreams.IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:   "ipcx",
		Short: "Create, inspect, send to, receive from and remove Linux IPC objects",
		Long: `ipcx works with every kind of Linux IPC object from a terminal or a shell script, with one
grammar for all of them.

ADDRESSES
  /name            a POSIX object (message queue, named semaphore, shared memory)
  esc:/name        the same, the name written as ipcx prints it (\xHH, \\; see ipcx ls --help)
  0x1A2B, key:N    a System V key (N decimal or 0x-hex)
  id:N             a System V identifier
  ftok:PATH:PROJ   a System V key computed as ftok(3) does
  private          IPC_PRIVATE: a new System V object (create only)

A bare number is refused: write id:N or key:N.

OUTPUT
  Reports are tables on a terminal (human sizes and times) and the same columns with exact values
  when piped; --json prints the same data as JSON. Payloads go raw to stdout; diagnostics to stderr.

` + exitStatusHelp,
		Version:       buildVersion(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	root.SetIn(io.In)
	root.SetFlagErrorFunc(flagError)
	root.SetVersionTemplate("ipcx {{.Version}}\n")
	root.AddGroup(&cobra.Group{ID: "objects", Title: "IPC objects:"})
	root.AddGroup(&cobra.Group{ID: "inventory", Title: "Inspection and cleanup:"})
	root.PersistentFlags().String("ns", "", "") // its help lists the commands that take it: below
	root.PersistentPreRunE = checkNS
	root.AddCommand(
		newMqCmd(io),
		newSemCmd(io),
		newShmCmd(io),
		newSigCmd(io),
		newFifoCmd(io),
		newPipeCmd(io, nil),
		newSockCmd(io),
	)
	root.AddCommand(inventoryCommands(io)...)
	root.PersistentFlags().Lookup("ns").Usage = nsFlagHelp(root)
	refuseUnknownShells(root)
	refuseUnknownHelpTopics(root)
	registerCompletions(root)
	return root
}

// walk calls f for every command of the tree, hidden ones and cobra's own included.
func walk(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, s := range c.Commands() {
		walk(s, f)
	}
}

// flagError turns pflag's errors into ipcx's: a bad value says what form was wanted instead of
// quoting strconv or time.
func flagError(c *cobra.Command, err error) error {
	prefix := cmdPath(c) + ": "
	if !c.HasParent() {
		prefix = ""
	}
	var ive *pflag.InvalidValueError
	if errors.As(err, &ive) {
		want := map[string]string{
			"int": "a whole number", "int32": "a whole number", "int64": "a whole number",
			"uint": "a whole number, 0 or more", "uint32": "a whole number, 0 or more", "uint64": "a whole number, 0 or more",
			"duration": "a duration such as 500ms, 10s or 2m", "bool": "true or false",
			"float64": "a number",
		}[ive.GetFlag().Value.Type()]
		if want == "" {
			want = "a valid value"
		}
		return failure.Usagef("%sinvalid --%s %q: want %s (see: %s --help)", prefix, ive.GetFlag().Name, ive.GetValue(), want, c.CommandPath())
	}
	return failure.Usagef("%s%v (see: %s --help)", prefix, err, c.CommandPath())
}

// groupObjects puts a noun command in the "IPC objects" help group.
func groupObjects(c *cobra.Command) *cobra.Command {
	c.GroupID = "objects"
	return c
}

// cmdPath is a command's path without the leading "ipcx", for messages that ipcx prefixes itself.
func cmdPath(c *cobra.Command) string {
	return strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" ")
}

// noArgs, exactArgs, minArgs and rangeArgs validate positional arguments as usage errors (exit 2).
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return failure.Usagef("%s: want %s, got %d argument(s) (see: %s --help)", cmdPath(c), what, len(args), c.CommandPath())
		}
		return nil
	}
}

func minArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < n {
			return failure.Usagef("%s: want %s (see: %s --help)", cmdPath(c), what, c.CommandPath())
		}
		return nil
	}
}

func rangeArgs(lo, hi int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) < lo || len(args) > hi {
			return failure.Usagef("%s: want %s, got %d argument(s) (see: %s --help)", cmdPath(c), what, len(args), c.CommandPath())
		}
		return nil
	}
}

// unknownSubcommand makes a noun without a verb, or with an unknown one, a usage error.
func unknownSubcommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return failure.Usagef("%s: missing command (see: %s --help)", cmdPath(c), c.CommandPath())
	}
	return failure.Usagef("%s: unknown command %q (see: %s --help)", cmdPath(c), args[0], c.CommandPath())
}

// refuseUnknownShells makes "ipcx completion SHELL" a usage error (exit 2) for a shell cobra has
// no script for, where cobra itself would print the help and exit 0.
func refuseUnknownShells(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	c, _, err := root.Find([]string{"completion"})
	if err != nil || c == root {
		return
	}
	var shells []string
	for _, sub := range c.Commands() {
		shells = append(shells, sub.Name())
	}
	c.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return failure.Usagef("completion: no completion script for shell %q (shells: %s)", args[0], strings.Join(shells, ", "))
		}
		return nil
	}
	c.RunE = func(c *cobra.Command, args []string) error {
		return failure.Usagef("completion: name a shell: %s (see: ipcx completion --help)", strings.Join(shells, ", "))
	}
}
