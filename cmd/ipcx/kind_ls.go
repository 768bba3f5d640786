package main

import (
	"sort"
	"strings"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

// kindLsOptions are the options of mq ls, sem ls and shm ls: views of the same listing as ls,
// filtered to one kind, with the kind's own columns.
type kindLsOptions struct {
	io      *iostreams.IOStreams
	ns      inventory.Namespace
	filter  filterFlags
	json    bool
	columns []string
}

// kindLs is one kind's view: its kind (which gives its fields and default columns) and verb.
type kindLs struct {
	kind inventory.Kind
	verb string // "mq ls"
	// posixFirst lists POSIX objects before System V ones (mq ls always has).
	posixFirst bool
}

// fields are the view's fields, and defaults its default columns, by kind: render makes the
// fields on first use, and a view holding them (or a copy of render's variables) would be made
// at init, for every command.
func (v kindLs) fields() render.Fields[*inventory.Object] {
	switch v.kind {
	case inventory.MQ:
		return render.MqFields()
	case inventory.Sem:
		return render.SemFields()
	}
	return render.ShmFields()
}

func (v kindLs) defaults() []string {
	switch v.kind {
	case inventory.MQ:
		return render.MqDefault
	case inventory.Sem:
		return render.SemDefault
	}
	return render.ShmDefault
}

// register adds the flags every kind's ls has: --posix and --sysv (worded by what), -o, --json,
// and the selection flags of ls but --kind.
func (v kindLs) register(c *cobra.Command, opts *kindLsOptions, posixWhat, sysvWhat string) {
	c.Flags().BoolVar(&opts.json, "json", false, "print as JSON")
	c.Flags().BoolVar(&opts.filter.posix, "posix", false, posixWhat)
	c.Flags().BoolVar(&opts.filter.sysv, "sysv", false, sysvWhat)
	c.Flags().StringSliceVarP(&opts.columns, "output", "o", nil,
		"show these columns: "+strings.Join(v.fields().Names(), ",")+" (default "+strings.Join(v.defaults(), ",")+")")
	completeFrom(c, "output", v.fields().Names())
	opts.filter.registerSelection(c)
	opts.filter.kinds = []string{string(v.kind)}
	opts.filter.values = v.kind == inventory.Sem
	opts.filter.limits = v.kind == inventory.MQ
}

func (v kindLs) run(opts *kindLsOptions) error {
	if opts.filter.posix && opts.filter.sysv {
		return errFlavorFlags
	}
	cols, err := columnsFor(v.fields(), opts.columns, v.defaults())
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
		return render.JSONRows(opts.io.Out, v.fields(), pointers(objs))
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
