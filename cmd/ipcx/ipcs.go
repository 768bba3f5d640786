package main

import (
	"errors"
	"path/filepath"
	"strings"

	"github.com/ipcx/ipcx/internal/compat"
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

// compatTool says whether name is a util-linux tool ipcx stands in for when run through a link of
// that name.
func compatTool(name string) bool {
	switch name {
	case "ipcs", "ipcrm", "ipcmk", "lsipc":
		return true
	}
	return false
}

// argv0Args returns the command line run() takes: os.Args[1:], with the tool's name in front when
// the binary was invoked as ipcs, ipcrm or ipcmk (a link to ipcx).
func argv0Args(argv []string) []string {
	if len(argv) == 0 {
		return nil
	}
	if name := filepath.Base(argv[0]); compatTool(name) {
		return append([]string{name}, argv[1:]...)
	}
	return argv[1:]
}

const compatNote = `It prints what util-linux 2.41.5's tool prints, header lines and spacing included, with the same
messages and exit status, so scripts written for it keep working; when ipcx is invoked through a
link named ipcs, ipcrm, ipcmk or lsipc it behaves as that tool.`

// compatDeviations is the one list of where the compat modes differ from util-linux on purpose
// (README.md's "util-linux compatibility" section says the same; internal/compat's comparison
// test checks each).
const compatDeviations = `Where ipcx differs from util-linux 2.41.5 on purpose (ipcs, ipcrm, ipcmk and lsipc alike):
  - -h/--help prints this help; --ns PID|FILE (ipcx's own option) works in another IPC namespace
  - -V/--version prints the util-linux release reproduced ("ipcs from util-linux 2.41.5");
    "ipcx --version" prints ipcx's version
  - "ipcrm -a shm" (-a, then a separate word) is refused before anything is removed, where
    util-linux first removes every resource of every type, then complains about "shm"
  - ipcrm -a and --all=pshm never remove directories, symlinks or other non-IPC files in /dev/shm
  - an ipcrm -a that cannot remove something says what, and goes on with the rest
  - "ipcs -s -i -1" says "id -1 not found" where util-linux crashes
ipcx's own extensions (POSIX objects in one listing, holders, JSON) are in "ipcx ls", not here.`

// compatCmd is the command of a util-linux tool: package compat parses its whole command line
// (getopt_long's rules and messages), so cobra parses none of it.
func compatCmd(io *iostreams.IOStreams, c *cobra.Command, tool func([]string, *compat.Env) error, options []compat.Option) *cobra.Command {
	// The options, for the help and the man page only: cobra parses none of them.
	for _, o := range options {
		short := ""
		if o.Short != 0 {
			short = string(rune(o.Short))
		}
		switch {
		case o.Help == "":
		case o.Arg == compat.NoArg:
			c.Flags().BoolP(o.Long, short, false, o.Help)
		default:
			c.Flags().StringP(o.Long, short, "", o.Help)
		}
	}
	c.DisableFlagParsing = true
	c.DisableFlagsInUseLine = true
	c.RunE = func(c *cobra.Command, args []string) error {
		if err := refuseNS(c, args); err != nil {
			return err
		}
		ns := ""
		if f := c.Root().PersistentFlags().Lookup("ns"); f != nil {
			ns = f.Value.String()
		}
		out := &iostreams.Recorder{W: io.Out}
		env := &compat.Env{Stdout: out, Stderr: io.ErrOut, Open: compat.Open, NS: ns, Help: c.Help, Version: versionString()}
		err := tool(append([]string{c.Name()}, args...), env)
		if st := (compat.ExitStatus)(0); out.Err != nil && (err == nil || errors.As(err, &st) && st == 0) {
			// the tools buffer their output and may not see the failed write: a report that
			// did not reach stdout is a failure, as util-linux's close_stdout makes it
			return out.Err
		}
		return compatExit(err)
	}
	return c
}

// refuseNS refuses the global --ns on a tool that does not take it, as checkNS does for the other
// commands (cobra does not parse it here: the tool's command line is the tool's).
func refuseNS(c *cobra.Command, args []string) error {
	if c.Annotations[nsAnnotation] != "" {
		return nil
	}
	for i, a := range args {
		v, ok := strings.CutPrefix(a, "--ns=")
		if a == "--ns" && i+1 < len(args) {
			v, ok = args[i+1], true
		}
		if a == "--" {
			break
		}
		if ok {
			c.Root().PersistentFlags().Set("ns", v)
			return checkNS(c, args)
		}
	}
	return nil
}

// compatExit maps what a tool returns to ipcx's exit: its status once it has spoken, or ipcx's
// own error for --ns.
func compatExit(err error) error {
	var st compat.ExitStatus
	var nse *compat.NamespaceError
	switch {
	case errors.As(err, &st):
		return &failure.Silent{Code: int(st)}
	case errors.As(err, &nse) && nse.Parse:
		return failure.Usagef("invalid --ns %q: %v (want a pid or the path of an ipc namespace file)", nse.Spec, nse.Err)
	case errors.As(err, &nse):
		return nsObject(nse.NS).Explain(nse.Err)
	}
	return err
}

func newIpcsCmd(io *iostreams.IOStreams) *cobra.Command {
	return withNS(compatCmd(io, &cobra.Command{
		Use:   "ipcs [resource-option...] [output-option]",
		Short: "Show IPC facilities, as util-linux's ipcs does",
		Long: `Show information on System V IPC facilities, as util-linux's ipcs(1) 2.41 does: message queues
(-q), shared memory (-m) and semaphores (-s); -a, or no resource option, shows all three. The
last of -t, -p, -c, -l, -u wins, as does the last of -b and --human. util-linux's ipcs has no
POSIX options: "ipcx lsipc -Q/-M/-S" lists POSIX objects.
` + compatNote + `

` + compatDeviations + `

EXIT STATUS
  0    success (an id that is not found is reported on stderr)
  1    failure, or a bad option (worded as util-linux's getopt does)
  2    usage error (an argument, a bad --ns)`,
		Example: `  $ ipcx ipcs
  $ ipcx ipcs -q -t
  $ ipcx ipcs -m -i 32768
  $ ipcx ipcs -l
  $ ln -s "$(command -v ipcx)" ~/bin/ipcs && ipcs -a`,
	}, compat.Ipcs, compat.IpcsOptions()))
}
