package main

import (
	"fmt"
	"os"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/escape"
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

type rmOptions struct {
	io       *iostreams.IOStreams
	ns       inventory.Namespace
	addrs    []string
	all      bool
	allUsers bool
	dryRun   bool
	json     bool
	filter   filterFlags
}

func newRmCmd(io *iostreams.IOStreams, runF func(*rmOptions) error) *cobra.Command {
	opts := &rmOptions{io: io}
	c := &cobra.Command{
		Use:   "rm ADDR... | rm --all [FILTERS]",
		Short: "Remove IPC objects of any kind, by address or by filter",
		Long: `Remove the named objects, of any kind and flavor: /name removes the POSIX queue, semaphore or
shared memory object of that name; a key (0x1A2B, key:N, ftok:PATH:PROJ) or id:N the System V
object. When a name or key names objects of several kinds, --kind says which (or every one with
--kind given several times).

--all removes every object the filters select (the same filters as ipcx ls: --orphaned, --owner,
--older-than, --kind, --sysv, --posix, --name). It never removes other users' objects unless root
asks with --all-users. --orphaned removes only what is proven unheld: an object a process holds,
maps, has open or waits on (msgrcv, msgsnd, semop) is not an orphan, and when other users'
processes could not be inspected (not root) an object they may hold is skipped, and the number
skipped said on stderr. --dry-run prints what would go and removes nothing.

A line is printed per removed object; --json prints them as an array of objects with the action
("removed" or "would remove") and the fields ipcx ls --json names objects by (kind, flavor,
address, and name or key and id); errors still go to stderr with the same exit codes. POSIX
semaphores and shared memory are unlinked only when they are regular files in /dev/shm: symlinks,
directories and other files there are never touched.
Every named object that exists is removed even when another is missing; then ipcx exits 3.

` + exitStatusHelp,
		Example: `  $ ipcx rm /jobs id:32768 0x1a2b
  $ ipcx rm --kind sem /lock
  $ ipcx rm --all --orphaned --dry-run
  $ ipcx rm --all --orphaned --dry-run --json
  $ ipcx rm --all --owner alice --older-than 24h --all-users
  $ ipcx --ns 4242 rm --all --orphaned`,
		RunE: func(c *cobra.Command, args []string) error {
			ns, err := namespaceOf(c)
			if err != nil {
				return err
			}
			opts.ns, opts.addrs = ns, args
			if runF != nil {
				return runF(opts)
			}
			return rmRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.all, "all", false, "remove every object the filters select (your own only, unless --all-users)")
	c.Flags().BoolVar(&opts.allUsers, "all-users", false, "with --all as root: other users' objects too")
	c.Flags().BoolVarP(&opts.dryRun, "dry-run", "n", false, "print what would be removed; remove nothing")
	c.Flags().BoolVar(&opts.json, "json", false, "print what was removed (or would be) as JSON")
	opts.filter.register(c)
	return withNS(c)
}

// rmObject names an inventory object in messages.
func rmObject(o *inventory.Object) failure.Object {
	what := map[inventory.Kind]string{inventory.MQ: "queue", inventory.Sem: "semaphore", inventory.Shm: "shared memory object"}[o.Kind]
	return failure.Object{Noun: string(o.Kind), What: what, Addr: o.Address(), Listable: true}.ToRemove()
}

func rmRun(opts *rmOptions) error {
	f := &opts.filter
	filtering := len(f.kinds) > 0 || f.sysv || f.posix || f.owner != "" || f.olderThan != 0 || f.orphaned || f.name != ""
	switch {
	case opts.all && len(opts.addrs) > 0:
		return failure.Usagef("rm: give addresses or --all, not both")
	case !opts.all && len(opts.addrs) == 0:
		return failure.UsageHint("to remove by filter: ipcx rm --all --orphaned (add --dry-run to see what would go)", "rm: want one or more addresses, or --all")
	case opts.allUsers && !opts.all:
		return failure.Usagef("rm: --all-users goes with --all")
	case opts.allUsers && os.Geteuid() != 0:
		return failure.UsageHint("run it as root, or leave out --all-users to remove only your own objects", "rm: --all-users is for root")
	case !opts.all && filtering && (f.owner != "" || f.olderThan != 0 || f.orphaned || f.name != ""):
		return failure.Usagef("rm: --owner, --older-than, --orphaned and --name go with --all")
	}
	addrs := make([]addr.Addr, len(opts.addrs))
	for i, s := range opts.addrs {
		a, err := parseAddr(s)
		if err != nil {
			return err
		}
		if a.Kind == addr.Private {
			return failure.UsageHint("name the object with id:N (ipcx ls shows them)", "private names no existing object")
		}
		addrs[i] = a
	}
	if opts.all && !opts.allUsers {
		me := uint32(os.Geteuid())
		f.ownedBy = &me // --all removes one's own objects only
	}
	objs, undecided, err := listUndecided(opts.io, opts.ns, f, "", "rm")
	if err != nil {
		return err
	}
	// --orphaned removes only what is proven unheld; say how many of one's own were skipped.
	if n := len(undecided); n > 0 {
		undecidedNote(opts.io, "rm", n, "skipped")
	}
	var last error
	report := func(err error) {
		if last != nil {
			failure.Print(opts.io.ErrOut, last)
		}
		last = err
	}
	var targets []inventory.Object
	if opts.all {
		targets = objs
	} else {
		for _, a := range addrs {
			found, err := inventory.Lookup(objs, a, nil)
			if err != nil {
				report(failure.Object{Noun: "rm", Addr: a.String()}.Explain(err))
				continue
			}
			switch {
			case len(found) == 0:
				what := "object"
				if filtering {
					what = "object of the kinds selected"
				}
				report(failure.Object{Name: a.String(), What: what}.Explain(inventory.ErrNoMatch))
				continue
			case len(found) > 1 && len(f.kinds) == 0:
				kinds := ""
				for _, o := range found {
					kinds += " " + string(o.Kind)
				}
				report(failure.UsageHint(fmt.Sprintf("say which with --kind (one of:%s)", kinds), "%s names %d objects", a, len(found)))
				continue
			}
			targets = append(targets, found...)
		}
	}
	verb := "removed"
	if opts.dryRun {
		verb = "would remove"
	}
	rows := []rmRow{}
	err = opts.ns.Do(func() error {
		for i := range targets {
			o := &targets[i]
			if !opts.dryRun {
				if err := opts.ns.Remove(*o); err != nil {
					if opts.all && inventory.Gone(err) {
						continue // gone meanwhile: what --all wanted
					}
					report(rmObject(o).Explain(err))
					continue
				}
			}
			if opts.json {
				rows = append(rows, newRmRow(verb, o))
				continue
			}
			fmt.Fprintf(opts.io.Out, "%s %s %s %s\n", verb, o.Flavor, o.Kind, describe(o))
		}
		return nil
	})
	if err != nil {
		return nsObject(opts.ns).Explain(err)
	}
	if opts.json {
		if err := render.JSON(opts.io.Out, rows); err != nil {
			return err
		}
	}
	return last
}

// rmRow is an object in rm --json: what was done to it, and the fields that name it in ls --json.
type rmRow struct {
	Action string `json:"action"`
	objectRef
}

func newRmRow(action string, o *inventory.Object) rmRow {
	return rmRow{Action: action, objectRef: newObjectRef(o)}
}

// describe names an object in rm's report: its address, and its key for System V.
func describe(o *inventory.Object) string {
	if o.Flavor == inventory.POSIX {
		return escape.Name(o.Name)
	}
	return fmt.Sprintf("%s key %s", o.Address(), o.Key)
}
