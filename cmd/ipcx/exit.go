package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
)

// run executes the command line and returns the exit code. It is main without os.Exit; what an
// error says and the code it ends with come from internal/failure.
func run(args []string, io *iostreams.IOStreams) int {
	return runWith(newRootCmdFor, args, io)
}

// treeBuilder builds the command tree for a command line (newRootCmdFor); wantHelp, when not nil,
// is set when that tree was asked for help, which the whole tree prints.
type treeBuilder func(io *iostreams.IOStreams, args []string) (root *cobra.Command, wantHelp *bool)

// runWith is run on the tree that build makes.
func runWith(build treeBuilder, args []string, io *iostreams.IOStreams) (code int) {
	defer func() {
		// No Go stack reaches the user; the message still names what went wrong.
		if r := recover(); r != nil {
			fmt.Fprintf(io.ErrOut, "ipcx: internal error: %v\nipcx: hint: please report this with the command line that caused it\n", r)
			code = failure.Failure
		}
	}()
	root, wantHelp := build(io, args)
	cmd, out, err := execute(root, args, io)
	if wantHelp != nil && *wantHelp {
		// a part of the tree asked for help: the whole tree prints it (newRootCmdFor)
		cmd, out, err = execute(newRootCmd(io), args, io)
	}
	if err == nil && out.Err != nil {
		err = out.Err
	}
	var fe *failure.Error
	var silent *failure.Silent
	if explained, ok := failure.Output(err); ok && !errors.As(err, &fe) && !errors.As(err, &silent) {
		// A write on standard output failed where no command named an object: exit 1, not a
		// usage error.
		err = explained
	}
	switch {
	case err == nil:
		return failure.OK
	case errors.As(err, &silent):
	case !errors.As(err, &fe):
		// Errors cobra makes itself (unknown command, bad flag) are usage errors.
		fe = failure.Usagef("%s", err)
		if cmd != nil && strings.HasPrefix(err.Error(), "unknown command") {
			fe.Hint = fmt.Sprintf("see: %s --help", cmd.CommandPath())
		}
		err = fe
	case fe.Code == failure.Usage && strings.HasPrefix(fe.Msg, "-") && cmd != nil && cmd.HasParent():
		// A usage error about a flag names the command it was given to, as cobra's own flag
		// errors do: "ipcx: mq recv: --count must be at least 1".
		err = &failure.Error{Code: fe.Code, Msg: cmdPath(cmd) + ": " + fe.Msg, Hint: fe.Hint, Err: fe}
	}
	failure.Print(io.ErrOut, err)
	return failure.Code(err)
}

// execute runs args on root and returns the command found, the recorder of standard output
// and the error: cobra's help and completion scripts ignore their write errors, the recorder
// keeps them.
func execute(root *cobra.Command, args []string, io *iostreams.IOStreams) (*cobra.Command, *iostreams.Recorder, error) {
	out := &iostreams.Recorder{W: io.Out}
	root.SetOut(out)
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	return cmd, out, err
}
