package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

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
}

func (f *filterFlags) register(c *cobra.Command) {
	c.Flags().StringSliceVar(&f.kinds, "kind", nil, "only these kinds: mq, sem, shm (repeat or comma-separate)")
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
		return flt, opts, usageErrorf("--sysv and --posix exclude each other; give neither for both")
	}
	if len(f.kinds) > 0 {
		flt.Kinds = map[inventory.Kind]bool{}
		for _, k := range f.kinds {
			switch inventory.Kind(k) {
			case inventory.MQ, inventory.Sem, inventory.Shm:
				flt.Kinds[inventory.Kind(k)] = true
			default:
				return flt, opts, usageErrorf("invalid --kind %q: want mq, sem or shm", k)
			}
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
		return flt, opts, usageErrorf("--older-than must not be negative")
	}
	flt.OlderThan, flt.Now = f.olderThan, time.Now()
	flt.Orphaned = f.orphaned
	if f.name != "" {
		if err := inventory.ValidGlob(f.name); err != nil {
			return flt, opts, usageErrorf("--name: %v", err)
		}
		flt.Name = f.name
	}
	return flt, opts, nil
}

type lsOptions struct {
	io      *iostreams.IOStreams
	ns      inventory.Namespace
	filter  filterFlags
	sort    string
	json    bool
	columns []string
	watch   time.Duration
}

func newLsCmd(io *iostreams.IOStreams, runF func(*lsOptions) error) *cobra.Command {
	opts := &lsOptions{io: io}
	c := &cobra.Command{
		Use:   "ls",
		Short: "List every IPC object, System V and POSIX, with the processes that hold it",
		Long: `List every kernel-persistent IPC object of the IPC namespace in one table: System V message
queues, semaphore sets and shared memory segments (from /proc/sysvipc, whatever their
permissions) and POSIX message queues, named semaphores and shared memory objects.

HOLDERS are the live processes that have the object attached (System V shm), mapped or open
(POSIX, from /proc/PID/fd and /proc/PID/maps). System V queues and semaphores leave no trace in a
process: their last sender, receiver or operator stands in while it is alive, and a process
blocked on one (msgrcv, msgsnd, semop; from /proc/PID/task/TID/syscall) holds it while it waits.

An object is ORPHANED when no live process holds or waits on it and its creator is gone (only
System V shm records its creator; for the other kinds "nobody holds it" is the whole test; a set
with semncnt or semzcnt above 0 has waiters). Without root, other users' processes cannot be
inspected: an object one of them may hold is not an orphan but unknown (ORPHANED "?", null in
JSON), and --orphaned says on stderr how many it left out.

SIZE is bytes for shared memory, bytes queued for message queues, and the number of semaphores
for a semaphore set.

COLUMNS (-o)
  ` + strings.Join(render.LsFields.Names(), " ") + `

SORT FIELDS (--sort)
  ` + strings.Join(inventory.SortFields, " ") + `

JSON
  An array of objects: kind, flavor, address, name or key and id, owner, uid, gid, cuid, cgid,
  mode, size, messages, cpid, lpid, ctime, lastOp (RFC 3339), holders [{pid, comm, how}],
  orphaned. An empty listing is [].

NAMES
  A POSIX name is any bytes but /. Tables, stat, rm and errors print it with control bytes and
  bytes that are not UTF-8 as \xHH, a backslash as \\ and an unprintable character as \uHHHH,
  so a name cannot drive the terminal and two names never print alike. In JSON, name is the
  exact name (control bytes as \u001b); a name that is not valid UTF-8 has no name but
  nameEscaped (as tables print it), and its address is esc:/name with those escapes, which every
  command accepts: ipcx rm "$(ipcx ls --json | jq -r '.[0].address')" removes that object.

` + exitStatusHelp,
		Example: `  $ ipcx ls
  $ ipcx ls --posix --kind shm,sem
  $ ipcx ls --orphaned --older-than 24h
  $ ipcx ls --sort size -o kind,name,size,holders
  $ ipcx ls --json | jq '.[] | select(.orphaned)'
  $ ipcx ls --watch=1s
  $ ipcx --ns 4242 ls`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			ns, err := namespaceOf(c)
			if err != nil {
				return err
			}
			opts.ns = ns
			if runF != nil {
				return runF(opts)
			}
			return lsRun(opts)
		},
	}
	opts.filter.register(c)
	c.Flags().StringVar(&opts.sort, "sort", "", "sort by FIELD (see SORT FIELDS)")
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	c.Flags().StringSliceVarP(&opts.columns, "output", "o", nil, "show these columns (see COLUMNS)")
	c.Flags().DurationVar(&opts.watch, "watch", 0, "redraw every DUR (--watch=DUR; 2s when bare) until interrupted")
	c.Flags().Lookup("watch").NoOptDefVal = "2s"
	return withNS(c)
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
		return nil, usageErrorf("%v", err)
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
		if _, ok := err.(*cmdError); ok {
			return nil, nil, err
		}
		if !ns.Own() {
			return nil, nil, nsFail(ns, err)
		}
		return nil, nil, &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: %v", verb, err)}
	}
	if sortBy != "" {
		if err := inventory.Sort(objs, sortBy, render.UserName); err != nil {
			return nil, nil, usageErrorf("--sort: %v", err)
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

func lsRun(opts *lsOptions) error {
	// A listing is short-lived and allocates in proportion to the objects, most of it in reading
	// them (/proc/sysvipc, the records): no collection cycles while it runs, unless memory grows
	// past a bound. With 21,000 objects ls --json took about 60 ms this way and 95 ms with the
	// collector on; the encoding itself (render.JSONRows) is a small part of either.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
	cols, err := columnsFor(render.LsFields, opts.columns, render.LsDefault)
	if err != nil {
		return err
	}
	if opts.watch != 0 && opts.json {
		return usageErrorf("--watch and --json exclude each other")
	}
	if opts.watch < 0 {
		return usageErrorf("--watch must be positive")
	}
	if opts.sort != "" {
		if err := inventory.Sort(nil, opts.sort, render.UserName); err != nil {
			return usageErrorf("--sort: %v", err)
		}
	}
	if _, _, err := opts.filter.build(); err != nil {
		return err
	}
	// draw writes one listing to w: straight to the output, or a frame of --watch.
	draw := func(w io.Writer) error {
		objs, err := listSelected(opts.io, opts.ns, &opts.filter, opts.sort, "ls")
		if err != nil {
			return err
		}
		if opts.json {
			return render.JSONRows(w, render.LsFields, pointers(objs))
		}
		return render.Table(w, opts.io.OutTTY, cols, pointers(objs))
	}
	if opts.watch == 0 {
		return draw(opts.io.Out)
	}
	frame := func() ([]byte, error) {
		var b bytes.Buffer
		err := draw(&b)
		return b.Bytes(), err
	}
	return watch(opts.io, opts.watch, frame)
}

// watch redraws frame every interval until interrupted (see render.Watch); the interrupt is the
// usual way out: no message, the exit code says which signal.
func watch(io *iostreams.IOStreams, every time.Duration, frame func() ([]byte, error)) error {
	ctx, stop := interruptContext(context.Background())
	defer stop()
	if err := render.Watch(ctx, io.Out, io.OutTTY, every, "ipcx ls", frame); err != nil {
		return err
	}
	return &silentExit{code: exitSignalBase + int(interruptSignal())}
}

// kindLsOptions are the options of mq ls, sem ls and shm ls: views of the same listing as ls,
// filtered to one kind, with the kind's own columns.
type kindLsOptions struct {
	io      *iostreams.IOStreams
	ns      inventory.Namespace
	filter  filterFlags
	json    bool
	columns []string
}

// kindLs is one kind's view: its fields, default columns and verb.
type kindLs struct {
	kind     inventory.Kind
	verb     string // "mq ls"
	fields   render.Fields[*inventory.Object]
	defaults []string
	// posixFirst lists POSIX objects before System V ones (mq ls always has).
	posixFirst bool
}

// register adds the flags every kind's ls has: --posix and --sysv (worded by what), -o, --json,
// and the selection flags of ls but --kind.
func (v kindLs) register(c *cobra.Command, opts *kindLsOptions, posixWhat, sysvWhat string) {
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	c.Flags().BoolVar(&opts.filter.posix, "posix", false, posixWhat)
	c.Flags().BoolVar(&opts.filter.sysv, "sysv", false, sysvWhat)
	c.Flags().StringSliceVarP(&opts.columns, "output", "o", nil,
		"show these columns: "+strings.Join(v.fields.Names(), ",")+" (default "+strings.Join(v.defaults, ",")+")")
	opts.filter.registerSelection(c)
	opts.filter.kinds = []string{string(v.kind)}
	opts.filter.values = v.kind == inventory.Sem
	opts.filter.limits = v.kind == inventory.MQ
}

func (v kindLs) run(opts *kindLsOptions) error {
	if opts.filter.posix && opts.filter.sysv {
		return errFlavorFlags
	}
	cols, err := columnsFor(v.fields, opts.columns, v.defaults)
	if err != nil {
		return err
	}
	objs, err := listSelected(opts.io, opts.ns, &opts.filter, "", v.verb)
	if err != nil {
		return err
	}
	if v.posixFirst {
		sort.SliceStable(objs, func(i, j int) bool {
			return objs[i].Flavor == inventory.POSIX && objs[j].Flavor != inventory.POSIX
		})
	}
	if opts.json {
		return render.JSONRows(opts.io.Out, v.fields, pointers(objs))
	}
	return render.Table(opts.io.Out, opts.io.OutTTY, cols, pointers(objs))
}

// command is the cobra command of the view, with RunE through runF when set.
func (v kindLs) command(c *cobra.Command, opts *kindLsOptions, runF func(*kindLsOptions) error) *cobra.Command {
	c.RunE = func(c *cobra.Command, args []string) error {
		ns, err := namespaceOf(c)
		if err != nil {
			return err
		}
		opts.ns = ns
		if runF != nil {
			return runF(opts)
		}
		return v.run(opts)
	}
	return withNS(c)
}
