// Command ipcx creates, inspects, sends to, receives from and removes every kind of Linux IPC
// object: System V and POSIX message queues, semaphores and shared memory, FIFOs, pipes, sockets
// and signals. See DEVELOPERS.md and `ipcx --help`.
package main

import (
	"os"

	"github.com/ipcx/ipcx/internal/iostreams"
)

func main() {
	os.Exit(run(os.Args[1:], iostreams.System()))
}
