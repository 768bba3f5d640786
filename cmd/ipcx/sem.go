package main

import (
	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/ipc"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/spf13/cobra"
)

// semVerbs are sem's subcommands (newRootCmdFor builds one alone).
var semVerbs = []verb{
	{"create", func(io *iostreams.IOStreams) *cobra.Command { return newSemCreateCmd(io, nil) }},
	{"post", func(io *iostreams.IOStreams) *cobra.Command { return newSemPostCmd(io, nil) }},
	{"wait", func(io *iostreams.IOStreams) *cobra.Command { return newSemWaitCmd(io, nil) }},
	{"get", func(io *iostreams.IOStreams) *cobra.Command { return newSemGetCmd(io, nil) }},
	{"set", func(io *iostreams.IOStreams) *cobra.Command { return newSemSetCmd(io, nil) }},
	{"op", func(io *iostreams.IOStreams) *cobra.Command { return newSemOpCmd(io, nil) }},
	{"run", func(io *iostreams.IOStreams) *cobra.Command { return newSemRunCmd(io, nil) }},
	{"stat", func(io *iostreams.IOStreams) *cobra.Command { return newSemStatCmd(io, nil) }},
	{"ls", func(io *iostreams.IOStreams) *cobra.Command { return newSemLsCmd(io, nil) }},
	{"rm", func(io *iostreams.IOStreams) *cobra.Command { return newSemRmCmd(io, nil) }},
}

// newSemCmd builds sem with its subcommands: all, or the one named only (buildVerbs).
func newSemCmd(io *iostreams.IOStreams, only string) *cobra.Command {
	c := &cobra.Command{
		Use:   "sem",
		Short: "Semaphores, POSIX named (/name) and System V sets (key, id)",
		Long: `Semaphores of both flavors: a /name is a POSIX named semaphore, the same file in /dev/shm
(sem.NAME) and the same protocol as glibc's sem_open(3), so C programs and ipcx wake each other; a
key or an id is a System V semaphore set (semget(2)), whose semaphores are numbered from 0
(--index).

` + exitStatusHelp,
		Example: `  $ ipcx sem create /lock --value 1
  $ ipcx sem run /lock -- make install
  $ ipcx sem wait /ready --timeout 30s
  $ ipcx sem create key:0x1a2b --nsems 3 --value 1
  $ ipcx sem op key:0x1a2b 0:-1 1:+1
  $ ipcx sem ls`,
		Args: unknownSubcommand,
		RunE: func(c *cobra.Command, args []string) error { return nil },
	}
	c.AddCommand(buildVerbs(io, semVerbs, only)...)
	return groupObjects(c)
}

// semObject names a semaphore in messages: "semaphore" for POSIX, "semaphore set" for System V.
func semObject(a addr.Addr) failure.Object {
	if !a.IsSysV() {
		return failure.Object{Noun: "sem", What: "semaphore", Addr: a.String(), Listable: true}
	}
	return failure.Object{Noun: "sem", What: "semaphore set", Addr: a.String(), Listable: true}
}

// openSem opens the existing semaphore a names, with its errors worded.
func openSem(a addr.Addr, o ipc.SemOptions) (*ipc.Semaphore, failure.Object, error) {
	obj := semObject(a)
	s, err := ipc.OpenSemaphore(a, o)
	if err != nil {
		return nil, obj, obj.Explain(err)
	}
	return s, obj, nil
}

// semTarget parses the address of an existing semaphore: not private.
func semTarget(s string) (addr.Addr, error) {
	a, err := parseSemAddr(s)
	if err != nil {
		return a, err
	}
	if a.Kind == addr.Private {
		return a, failure.UsageHint("name an existing set with id:N or a key", "private names no existing semaphore set")
	}
	return a, nil
}

// parseSemAddr parses a semaphore's address, refusing a POSIX name too long for its file
// (sem.NAME in /dev/shm) as a usage error.
func parseSemAddr(s string) (addr.Addr, error) {
	a, err := parseAddr(s)
	if err != nil {
		return a, err
	}
	if !a.IsSysV() {
		if err := posix.ValidSemName(a.Name); err != nil {
			return a, failure.UsageHint("use a shorter name", "%v", err)
		}
	}
	return a, nil
}
