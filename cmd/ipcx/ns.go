package main

import (
	"fmt"
	"os/user"
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/failure"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/spf13/cobra"
)

// nsAnnotation marks the commands that honour the global --ns flag: nsTakes for those that enter
// the namespace where they need it, nsWhole for those that run whole inside it (nsStat).
const (
	nsAnnotation = "ipcx/ns"
	nsTakes      = "yes"
	nsWhole      = "whole"
)

// nsFlagHelp is the global --ns flag's help, with the commands of root that take it.
func nsFlagHelp(root *cobra.Command) string {
	return "run in the IPC namespace of process PID (or of an ipc namespace file): " + strings.Join(nsCommands(root), ", ")
}

// nsCommands lists the commands under root that honour --ns, found by their annotation.
func nsCommands(root *cobra.Command) []string {
	var names []string
	walk(root, func(c *cobra.Command) {
		if c.Annotations[nsAnnotation] != "" {
			names = append(names, cmdPath(c))
		}
	})
	return names
}

// withNS marks c as honouring --ns.
func withNS(c *cobra.Command) *cobra.Command { return annotateNS(c, nsTakes) }

// withNSWhole marks c as running whole inside the --ns namespace.
func withNSWhole(c *cobra.Command) *cobra.Command { return annotateNS(c, nsWhole) }

func annotateNS(c *cobra.Command, how string) *cobra.Command {
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[nsAnnotation] = how
	return c
}

// checkNS refuses --ns on commands that do not honour it: they would silently act on this
// namespace instead. The commands marked nsWhole (the nouns' stat) run inside the namespace.
func checkNS(c *cobra.Command, args []string) error {
	f := c.Root().PersistentFlags().Lookup("ns")
	if f == nil || f.Value.String() == "" {
		return nil
	}
	switch c.Annotations[nsAnnotation] {
	case nsWhole:
		return nsStat(c, args)
	case "":
		return failure.UsageHint(strings.Join(nsCommands(c.Root()), ", ")+" take it; or run the command under nsenter --ipc --target PID",
			"%s: --ns is not supported by this command", cmdPath(c))
	}
	return nil
}

// nsStat makes a noun's stat command run inside the --ns namespace: its whole RunE runs on the
// thread that joined it, so System V calls see that namespace. POSIX objects are refused: stat
// looks for semaphores and shared memory in this /dev/shm and for a queue's byte count in this
// mqueue mount, not the process's; ls --json gives the same facts from the right places.
func nsStat(c *cobra.Command, args []string) error {
	ns, err := namespaceOf(c)
	if err != nil {
		return err
	}
	noun := c.Parent().Name()
	for _, a := range args {
		if strings.HasPrefix(a, "/") {
			return failure.UsageHint(fmt.Sprintf("ipcx --ns %s ls --name %s --json", c.Root().PersistentFlags().Lookup("ns").Value, a),
				"%s: --ns with a POSIX %s is not supported", cmdPath(c), noun)
		}
	}
	run := c.RunE
	c.RunE = func(c *cobra.Command, args []string) error {
		var rerr error
		if err := ns.Do(func() error { rerr = run(c, args); return nil }); err != nil {
			return nsObject(ns).Explain(err)
		}
		return rerr
	}
	return nil
}

// namespaceOf returns the namespace the global --ns flag names (this one when none).
func namespaceOf(c *cobra.Command) (inventory.Namespace, error) {
	f := c.Root().PersistentFlags().Lookup("ns")
	if f == nil {
		return inventory.Namespace{}, nil
	}
	if f.Changed && f.Value.String() == "" {
		return inventory.Namespace{}, failure.Usagef("invalid --ns \"\": want a pid or the path of an ipc namespace file")
	}
	ns, err := inventory.ParseNamespace(f.Value.String())
	if err != nil {
		return ns, failure.Usagef("invalid --ns %q: %v (want a pid or the path of an ipc namespace file)", f.Value.String(), err)
	}
	return ns, nil
}

// nsObject names the namespace --ns gave, for the table's ns rows: a pid names a process, a path
// a file.
func nsObject(ns inventory.Namespace) failure.Object {
	return failure.Object{Noun: "ns", Name: "--ns", Addr: ns.String(), PID: ns.PID, Path: ns.File}
}

// lookupOwner resolves --owner: a user name or a numeric uid.
func lookupOwner(s string) (uint32, error) {
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint32(n), nil
	}
	u, err := user.Lookup(s)
	if err != nil {
		return 0, failure.Usagef("--owner %q: no such user", s)
	}
	n, _ := strconv.ParseUint(u.Uid, 10, 32)
	return uint32(n), nil
}
