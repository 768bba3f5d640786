package main

import (
	"bytes"
	"context"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/render"
	"github.com/spf13/cobra"
)

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
  ` + strings.Join(render.LsFields().Names(), " ") + `

SORT FIELDS (--sort)
  ` + strings.Join(inventory.SortFields, " ") + `

JSON
` + helpList("An array of objects:", render.LsFields().JSONNames(), "An empty listing is [].") + `

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
	completeFrom(c, "sort", inventory.SortFields)
	completeFrom(c, "output", render.LsFields().Names())
	c.Flags().DurationVar(&opts.watch, "watch", 0, "redraw every DUR (--watch=DUR; 2s when bare) until interrupted")
	c.Flags().Lookup("watch").NoOptDefVal = "2s"
	return withNS(c)
}

func lsRun(opts *lsOptions) error {
	cols, err := columnsFor(render.LsFields(), opts.columns, render.LsDefault)
	if err != nil {
		return err
	}
	if opts.watch != 0 && opts.json {
		return failure.Usagef("--watch and --json exclude each other")
	}
	if opts.watch < 0 {
		return failure.Usagef("--watch must be positive")
	}
	if opts.sort != "" {
		if err := inventory.Sort(nil, opts.sort, render.UserName); err != nil {
			return failure.Usagef("--sort: %v", err)
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
			return render.JSONRows(w, render.LsFields(), pointers(objs))
		}
		return render.Table(w, opts.io.OutTTY, cols, pointers(objs))
	}
	if opts.watch == 0 {
		// One listing is short-lived and allocates in proportion to the objects, most of it in
		// reading them (/proc/sysvipc, the records): no collection cycles while it runs, unless
		// memory grows past a bound. With 21,000 objects ls --json took about 60 ms this way and
		// 95 ms with the collector on; the encoding itself (render.JSONRows) is a small part of
		// either. --watch runs without end: it keeps the collector on.
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
		return draw(opts.io.Out)
	}
	frame := func() ([]byte, error) {
		var b bytes.Buffer
		err := draw(&b)
		return b.Bytes(), err
	}
	return watch(opts.io, opts.watch, frame)
}

// renderWatch is render.Watch; a test replaces it to look at the frames.
var renderWatch = render.Watch

// watch redraws frame every interval until interrupted (see render.Watch); the interrupt is the
// usual way out: no message, the exit code says which signal.
func watch(io *iostreams.IOStreams, every time.Duration, frame func() ([]byte, error)) error {
	ctx, stop := interruptContext(context.Background())
	defer stop()
	if err := renderWatch(ctx, io.Out, io.OutTTY, every, "ipcx ls", frame); err != nil {
		return err
	}
	return &failure.Silent{Code: failure.SignalBase + int(interruptSignal())}
}

// helpList is a list for --help: intro, the items separated by commas, then outro, wrapped between
// items at 98 columns, indented by two spaces, without the last newline.
func helpList(intro string, items []string, outro string) string {
	words := []string{intro}
	for i, it := range items {
		if i < len(items)-1 {
			it += ","
		} else {
			it += "."
		}
		words = append(words, it)
	}
	words = append(words, outro)
	var b strings.Builder
	line := " "
	for _, w := range words {
		if len(line)+1+len(w) > 98 {
			b.WriteString(line + "\n")
			line = " "
		}
		line += " " + w
	}
	b.WriteString(line)
	return b.String()
}
