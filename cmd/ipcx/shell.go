package main

import (
	"os/exec"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/sig"
)

// runShell runs script with /bin/sh -c for an --exec flag: its standard input, output and error
// are the command's (io), and env (NAME=value entries, IPCX_* by convention) is added to ipcx's
// environment. With unblock, the shell starts with no signal blocked (sig.UnblockedCommand): for
// the commands that keep signals blocked (sig trap, after sig.Prepare), whose children would
// otherwise inherit the mask. The error is exec's: an *exec.ExitError for a failed or killed
// shell (commandStatus turns it into ipcx's exit status).
func runShell(io *iostreams.IOStreams, script string, env []string, unblock bool) error {
	cmd := exec.Command("/bin/sh", "-c", script)
	if unblock {
		var err error
		if cmd, err = sig.UnblockedCommand("/bin/sh", "-c", script); err != nil {
			return err
		}
	}
	cmd.Env = append(cmd.Environ(), env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = io.In, io.Out, io.ErrOut
	return cmd.Run()
}
