package main

import (
	"errors"
	"strings"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/spf13/pflag"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

const exitStatusHelp = `EXIT STATUS
  0    success
  1    failure
  2    usage error (bad flag, argument or address)
  3    no such object
  4    object already exists
  5    would block (--nonblock: queue empty or full, semaphore unavailable)
  124  --timeout expired (--timeout 0 does not wait: 124 at once when nothing is ready)
  128+N  interrupted or killed by signal N (130 for Ctrl-C, 141 for a closed output pipe)`

// newRootCmd builds the whole command tree. It is the one place the whole tree is built: help,
// completion, the man pages and every command line that newRootCmdFor does not narrow use it.
func newRootCmd(io *iostreams.IOStreams) *cobra.Command {
	root := newRootBase(io)
	for _, t := range topCommands() {
		root.AddCommand(t.build(io, ""))
	}
	root.PersistentFlags().Lookup("ns").Usage = nsFlagHelp(root)
	refuseUnknownShells(root)
	refuseUnknownHelpTopics(root)
	registerCompletions(root)
	return root
}

// topCommands are the commands under root, each with the function that builds it (and its
// subcommands): a command line that names one of them needs no other (newRootCmdFor). A group
// (mq, sem, ...) has verbs, its subcommands: build(io, verb) builds only the one named verb, ""
// all of them; the other commands ignore verb. It is a function: the table copies the groups'
// verbs, which a package variable would do at init, for every command.
func topCommands() []topCommand {
	return []topCommand{
		{"mq", newMqCmd, mqVerbs},
		{"sem", newSemCmd, semVerbs},
		{"shm", newShmCmd, shmVerbs},
		{"sig", newSigCmd, sigVerbs},
		{"fifo", newFifoCmd, fifoVerbs},
		{"pipe", func(io *iostreams.IOStreams, _ string) *cobra.Command { return newPipeCmd(io, nil) }, nil},
		{"sock", newSockCmd, sockVerbs},
		{"ls", func(io *iostreams.IOStreams, _ string) *cobra.Command { return groupInventory(newLsCmd(io, nil)) }, nil},
		{"rm", func(io *iostreams.IOStreams, _ string) *cobra.Command { return groupInventory(newRmCmd(io, nil)) }, nil},
		{"limits", func(io *iostreams.IOStreams, _ string) *cobra.Command { return groupInventory(newLimitsCmd(io, nil)) }, nil},
		{"ftok", func(io *iostreams.IOStreams, _ string) *cobra.Command { return groupInventory(newFtokCmd(io, nil)) }, nil},
		{"audit", func(io *iostreams.IOStreams, _ string) *cobra.Command { return groupInventory(newAuditCmd(io, nil)) }, nil},
		{"ipcs", func(io *iostreams.IOStreams, _ string) *cobra.Command { return groupInventory(newIpcsCmd(io)) }, nil},
		{"ipcrm", func(io *iostreams.IOStreams, _ string) *cobra.Command { return groupInventory(newIpcrmCmd(io)) }, nil},
		{"ipcmk", func(io *iostreams.IOStreams, _ string) *cobra.Command { return groupInventory(newIpcmkCmd(io)) }, nil},
		{"lsipc", func(io *iostreams.IOStreams, _ string) *cobra.Command { return groupInventory(newLsipcCmd(io)) }, nil},
		{"bench", func(io *iostreams.IOStreams, _ string) *cobra.Command { return newBenchCmd(io, nil) }, nil},
	}
}

// topCommand is a command under root.
type topCommand struct {
	name  string
	build func(io *iostreams.IOStreams, verb string) *cobra.Command
	verbs []verb
}

// verb is a subcommand of a group with the function that builds it.
type verb struct {
	name  string
	build func(io *iostreams.IOStreams) *cobra.Command
}

// buildVerbs builds the verb named only, or every verb when only is "" or names none of them.
func buildVerbs(io *iostreams.IOStreams, verbs []verb, only string) []*cobra.Command {
	var cmds []*cobra.Command
	for _, v := range verbs {
		if v.name == only {
			return []*cobra.Command{v.build(io)}
		}
	}
	for _, v := range verbs {
		cmds = append(cmds, v.build(io))
	}
	return cmds
}

// secondWord is args[1], the verb a command line names after its group, or "" (buildVerbs builds
// the whole group for a word that is no verb's name: a flag, an alias, an unknown word).
func secondWord(args []string) string {
	if len(args) < 2 {
		return ""
	}
	return args[1]
}

// newRootCmdFor builds the part of the tree that args need, so that a short command does not
// pay for building some 80 others with their flags and help (a third of ipcx mq send's start):
// for "--version" the root alone; for a command line that starts with a command of topCommands,
// the root and that command, and of a group (mq send) only the verb named. Every other command
// line gets the whole tree (newRootCmd), and so does --ns, whose refusal lists the commands that
// take it. Help, whose --ns line lists them too, is never printed from a part: partial's help
// function only sets wantHelp, and the caller runs the command line again on the whole tree
// (cobra asks for help before a command runs; sig send and the compat tools call Help while
// parsing their arguments, before they act).
func newRootCmdFor(io *iostreams.IOStreams, args []string) (root *cobra.Command, wantHelp *bool) {
	if len(args) == 0 {
		return newRootCmd(io), nil
	}
	for _, a := range args {
		if a == "--ns" || strings.HasPrefix(a, "--ns=") {
			return newRootCmd(io), nil
		}
	}
	switch {
	case len(args) == 1 && (args[0] == "--version" || args[0] == "-v"):
		root = newRootBase(io)
	default:
		for _, t := range topCommands() {
			if t.name == args[0] {
				root = newRootBase(io)
				root.AddCommand(t.build(io, secondWord(args)))
				break
			}
		}
	}
	if root == nil {
		return newRootCmd(io), nil
	}
	wantHelp = new(bool)
	root.SetHelpFunc(func(*cobra.Command, []string) { *wantHelp = true })
	root.CompletionOptions.DisableDefaultCmd = true // "completion" is never a part's first word
	return root, wantHelp
}

// newRootBase is the root command without its subcommands.
func newRootBase(io *iostreams.IOStreams) *cobra.Command {
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
		Version:       versionString(),
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

// groupInventory puts a command in the "Inspection and cleanup" help group.
func groupInventory(c *cobra.Command) *cobra.Command {
	c.GroupID = "inventory"
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
