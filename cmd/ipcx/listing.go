package main

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

// The listing every command over all kinds shares (ls, the kinds' ls views, rm --all, audit):
// the filter flags, one listing of a namespace filtered and sorted, the columns -o picks.

// filterFlags are the selection flags ls, rm --all and audit share.
type filterFlags struct {
	kinds     []string
	sysv      bool
	posix     bool
	owner     string
	olderThan time.Duration
	orphaned  bool
	name      string
	// values reads semaphore values (sem ls) and limits the System V queue limits (mq ls): not
	// flags, what a view needs besides ls's listing.
	values, limits bool
	// ownedBy selects the objects of one user, owner or creator (rm --all without --all-users):
	// not a flag either.
	ownedBy *uint32
}

func (f *filterFlags) register(c *cobra.Command) {
	c.Flags().StringSliceVar(&f.kinds, "kind", nil, "only these kinds: mq, sem, shm (repeat or comma-separate)")
	completeFrom(c, "kind", kindNames())
	c.Flags().BoolVar(&f.sysv, "sysv", false, "System V objects only")
	c.Flags().BoolVar(&f.posix, "posix", false, "POSIX objects only")
	f.registerSelection(c)
}

// registerSelection adds the flags that select by owner, age, orphanhood and name.
func (f *filterFlags) registerSelection(c *cobra.Command) {
	c.Flags().StringVar(&f.owner, "owner", "", "only objects owned by USER (a name or a uid)")
	c.Flags().DurationVar(&f.olderThan, "older-than", 0, "only objects created (or last changed) longer ago than DUR, like 1h or 30m")
	c.Flags().BoolVar(&f.orphaned, "orphaned", false, "only orphans: no live process holds them and their creator is gone")
	c.Flags().StringVar(&f.name, "name", "", "only objects whose name, key (0x…) or address (id:N) matches the glob")
}

// build checks the flags and turns them into a filter and the listing options it needs.
func (f *filterFlags) build() (inventory.Filter, inventory.Options, error) {
	var flt inventory.Filter
	opts := inventory.Options{Holders: true, QueueAttrs: true, SemValues: f.values, QueueLimits: f.limits}
	if f.sysv && f.posix {
		return flt, opts, failure.Usagef("--sysv and --posix exclude each other; give neither for both")
	}
	if len(f.kinds) > 0 {
		flt.Kinds = map[inventory.Kind]bool{}
		for _, k := range f.kinds {
			if !slices.Contains(inventory.Kinds, inventory.Kind(k)) {
				return flt, opts, failure.Usagef("invalid --kind %q: want mq, sem or shm", k)
			}
			flt.Kinds[inventory.Kind(k)] = true
		}
		opts.Kinds = flt.Kinds
	}
	switch {
	case f.sysv:
		flt.Flavors = map[inventory.Flavor]bool{inventory.SysV: true}
	case f.posix:
		flt.Flavors = map[inventory.Flavor]bool{inventory.POSIX: true}
	}
	opts.Flavors = flt.Flavors
	if f.owner != "" {
		uid, err := lookupOwner(f.owner)
		if err != nil {
			return flt, opts, err
		}
		flt.Owner = &uid
	}
	if f.olderThan < 0 {
		return flt, opts, failure.Usagef("--older-than must not be negative")
	}
	flt.OlderThan, flt.Now = f.olderThan, time.Now()
	flt.Orphaned = f.orphaned
	flt.OwnedBy = f.ownedBy
	if f.name != "" {
		if err := inventory.ValidGlob(f.name); err != nil {
			return flt, opts, failure.Usagef("--name: %v", err)
		}
		flt.Name = f.name
	}
	return flt, opts, nil
}

// objectRef names an object in JSON: ls and rm report these fields alike.
type objectRef struct {
	Kind    string  `json:"kind"`
	Flavor  string  `json:"flavor"`
	Address string  `json:"address"`
	Name    string  `json:"name,omitempty"`        // POSIX
	NameEsc string  `json:"nameEscaped,omitempty"` // POSIX, a name that is not UTF-8
	Key     *string `json:"key,omitempty"`         // System V
	ID      *int    `json:"id,omitempty"`          // System V
}

func newObjectRef(o *inventory.Object) objectRef {
	r := objectRef{Kind: string(o.Kind), Flavor: string(o.Flavor), Address: render.AddressJSON(o)}
	if o.Flavor == inventory.POSIX {
		r.Name, r.NameEsc = render.NameJSON(o)
	} else {
		k, id := o.Key.String(), int(o.ID)
		r.Key, r.ID = &k, &id
	}
	return r
}

// columnsFor are the table columns -o names of a view, its default ones without -o.
func columnsFor(fields render.Fields[*inventory.Object], names, defaults []string) ([]render.Column[*inventory.Object], error) {
	if len(names) == 0 {
		names = defaults
	}
	cols, err := fields.Columns(names...)
	if err != nil {
		return nil, failure.Usagef("%v", err)
	}
	return cols, nil
}

// pointers are the objects as the rows of a view.
func pointers(objs []inventory.Object) []*inventory.Object {
	rows := make([]*inventory.Object, len(objs))
	for i := range objs {
		rows[i] = &objs[i]
	}
	return rows
}

// listSelected lists the namespace and applies the filter and sort order. It runs inside the
// namespace. Warnings go to stderr; with --orphaned, so does the number of objects not proven
// unheld (see undecidedNote).
func listSelected(io *iostreams.IOStreams, ns inventory.Namespace, ff *filterFlags, sortBy, verb string) ([]inventory.Object, error) {
	objs, undecided, err := listUndecided(io, ns, ff, sortBy, verb)
	if err == nil && len(undecided) > 0 {
		undecidedNote(io, verb, len(undecided), "not listed as orphans")
	}
	return objs, err
}

// listUndecided is listSelected without the note: with --orphaned it also returns the objects
// the other filters select that are MaybeHeld, neither orphans nor known to be held.
func listUndecided(io *iostreams.IOStreams, ns inventory.Namespace, ff *filterFlags, sortBy, verb string) ([]inventory.Object, []inventory.Object, error) {
	flt, opts, err := ff.build()
	if err != nil {
		return nil, nil, err
	}
	var objs, undecided []inventory.Object
	err = ns.Do(func() error {
		inv, err := ns.List(opts)
		if err != nil {
			return err
		}
		for _, w := range inv.Warnings {
			fmt.Fprintf(io.ErrOut, "ipcx: %s: %v\n", verb, w)
			if verb == "mq ls" && errors.Is(w, posix.ErrNoMqueueFS) {
				fmt.Fprintf(io.ErrOut, "ipcx: hint: as root: mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue\n")
			}
		}
		if flt.Orphaned {
			rest := flt
			rest.Orphaned = false
			for i := range inv.Objects {
				if o := &inv.Objects[i]; o.MaybeHeld && rest.Match(o) {
					undecided = append(undecided, *o)
				}
			}
		}
		objs = inventory.Select(inv.Objects, flt)
		return nil
	})
	if err != nil {
		if !ns.Own() {
			return nil, nil, nsObject(ns).Explain(err)
		}
		return nil, nil, failure.Newf(failure.Failure, "%s: %v", verb, err)
	}
	if sortBy != "" {
		if err := inventory.Sort(objs, sortBy, render.UserName); err != nil {
			return nil, nil, failure.Usagef("--sort: %v", err)
		}
	}
	return objs, undecided, nil
}

// undecidedNote says on stderr that n objects with no holder found were left out (what says how),
// because processes of other users that may hold them could not be inspected.
func undecidedNote(io *iostreams.IOStreams, verb string, n int, what string) {
	noun := "objects"
	if n == 1 {
		noun = "object"
	}
	fmt.Fprintf(io.ErrOut, "ipcx: %s: %d %s %s: no holder found, but other users' processes that may hold them could not be inspected (holders unknown)\n", verb, n, noun, what)
	fmt.Fprintf(io.ErrOut, "ipcx: hint: run it as root to inspect every process\n")
}
