// Command ipcx creates, inspects, sends to, receives from and removes every kind of Linux IPC
// object: System V and POSIX message queues, semaphores and shared memory, FIFOs, pipes, sockets
// and signals. See DEVELOPERS.md and `ipcx --help`.
package main

import (
	"os"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/sig"
)

func main() {
	sig.ResumeAfterReexec() // first: sig trap and wait re-execute ipcx with signals blocked
	sig.ExitAfterCommand()  // os.Exit follows the command: its signal handlers need not be undone
	os.Exit(run(argv0Args(os.Args), iostreams.System()))
}
