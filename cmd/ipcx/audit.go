package main

import (
	"fmt"
	"strings"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

type auditOptions struct {
	io     *iostreams.IOStreams
	ns     inventory.Namespace
	nsArg  string
	filter filterFlags
	json   bool
}

func newAuditCmd(io *iostreams.IOStreams, runF func(*auditOptions) error) *cobra.Command {
	opts := &auditOptions{io: io}
	c := &cobra.Command{
		Use:   "audit",
		Short: "Flag exposed objects, orphans and limits near exhaustion, with the fix for each",
		Long: `Check the IPC namespace and flag:

  world     an object everyone may read or write (mode bits for others)
  group     an object other members of its group may read or write
  orphan    an object no live process holds and whose creator is gone
  limit     a limit on the namespace's total (msgmni, shmmni, shmall, semmni, semmns,
            queues_max) more than 80% used

Each finding comes with the command that fixes it. The filters of ipcx ls narrow the objects
checked (limits are always checked).

EXIT STATUS
  0    nothing flagged
  1    something flagged (or a failure)
  2    usage error`,
		Example: `  $ ipcx audit
  $ ipcx audit --owner alice --json
  $ ipcx --ns 4242 audit`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			ns, err := namespaceOf(c)
			if err != nil {
				return err
			}
			opts.ns = ns
			opts.nsArg = c.Root().PersistentFlags().Lookup("ns").Value.String()
			if runF != nil {
				return runF(opts)
			}
			return auditRun(opts)
		},
	}
	opts.filter.register(c)
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	return withNS(c)
}

// finding is one flagged problem.
type finding struct {
	Problem string `json:"problem"`
	Kind    string `json:"kind,omitempty"`
	Flavor  string `json:"flavor,omitempty"`
	Object  string `json:"object"`
	Detail  string `json:"detail"`
	Fix     string `json:"fix"`
}

var findingColumns = []render.Column[finding]{
	{Header: "PROBLEM", Value: func(f finding) string { return f.Problem }},
	{Header: "OBJECT", Value: func(f finding) string {
		if f.Kind == "" {
			return f.Object
		}
		return f.Flavor + " " + f.Kind + " " + f.Object
	}},
	{Header: "DETAIL", Value: func(f finding) string { return f.Detail }},
	{Header: "FIX", Value: func(f finding) string { return f.Fix }},
}

// chmodFix is the command that takes group and other access away from o.
func chmodFix(o *inventory.Object, ipcx string) string {
	if f := o.File(); f != "" {
		return "chmod go-rwx " + f
	}
	// System V modes change with IPC_SET; ipcx re-creates rather than guesses an owner's intent.
	return fmt.Sprintf("%s rm --kind %s %s, then create it again with --mode 0600", ipcx, o.Kind, o.Address())
}

func auditRun(opts *auditOptions) error {
	objs, err := listSelected(opts.io, opts.ns, &opts.filter, "", "audit")
	if err != nil {
		return err
	}
	lims, err := readLimits(opts.ns)
	if err != nil {
		return err
	}
	ipcx := "ipcx"
	if opts.nsArg != "" {
		ipcx = "ipcx --ns " + opts.nsArg
	}
	found := []finding{}
	for _, fd := range inventory.Audit(objs, lims) {
		found = append(found, newFinding(fd, ipcx))
	}
	if opts.json {
		err = render.JSON(opts.io.Out, found)
	} else if len(found) > 0 {
		err = render.Table(opts.io.Out, opts.io.OutTTY, findingColumns, found)
	} else {
		fmt.Fprintln(opts.io.ErrOut, "ipcx: audit: nothing to flag")
	}
	if err != nil {
		return err
	}
	if len(found) > 0 {
		return &failure.Silent{Code: failure.Failure}
	}
	return nil
}

func access(bits uint32) string {
	var s []string
	if bits&4 != 0 {
		s = append(s, "read")
	}
	if bits&2 != 0 {
		s = append(s, "write")
	}
	if len(s) == 0 {
		return "alter"
	}
	return strings.Join(s, " and ")
}

// newFinding words what inventory.Audit found, with the fix: ipcx is how the fix runs ipcx.
func newFinding(fd inventory.Finding, ipcx string) finding {
	if l := fd.Limit; l != nil {
		return finding{Problem: string(fd.Problem), Object: l.Name,
			Detail: fmt.Sprintf("%d of %d %s used (%.0f%%)", *l.Use, l.Value, l.Unit, l.Percent()),
			Fix:    fmt.Sprintf("%s rm --all --orphaned, or raise it: sysctl -w %s", ipcx, sysctlName(*l))}
	}
	o := fd.Object
	f := finding{Problem: string(fd.Problem), Kind: string(o.Kind), Flavor: string(o.Flavor), Object: o.Address()}
	if o.Flavor == inventory.SysV {
		f.Object += " (key " + o.Key.String() + ")"
	}
	mode := o.Mode & 0o777
	switch fd.Problem {
	case inventory.World:
		f.Detail, f.Fix = fmt.Sprintf("mode %04o: everyone may %s", mode, access(fd.Access)), chmodFix(o, ipcx)
	case inventory.Group:
		f.Detail, f.Fix = fmt.Sprintf("mode %04o: group %s may %s", mode, render.GroupName(o.GID), access(fd.Access)), chmodFix(o, ipcx)
	case inventory.Orphan:
		f.Detail = fmt.Sprintf("owned by %s, no live holder", render.UserName(o.UID))
		f.Fix = fmt.Sprintf("%s rm --kind %s %s", ipcx, o.Kind, o.Address())
	}
	return f
}

// sysctlName is the sysctl assignment that doubles limit l.
func sysctlName(l inventory.Limit) string {
	if l.Source == "/proc/sys/kernel/sem" {
		return "kernel.sem=\"SEMMSL SEMMNS SEMOPM SEMMNI\" (raise " + l.Name + ")"
	}
	return fmt.Sprintf("%s=%d", l.Sysctl(), l.Value*2)
}
