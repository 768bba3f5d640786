package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/ipcx/ipcx/internal/iostreams"
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
}

func (f *filterFlags) register(c *cobra.Command) {
	c.Flags().StringSliceVar(&f.kinds, "kind", nil, "only these kinds: mq, sem, shm (repeat or comma-separate)")
	c.Flags().BoolVar(&f.sysv, "sysv", false, "System V objects only")
	c.Flags().BoolVar(&f.posix, "posix", false, "POSIX objects only")
	c.Flags().StringVar(&f.owner, "owner", "", "only objects owned by USER (a name or a uid)")
	c.Flags().DurationVar(&f.olderThan, "older-than", 0, "only objects created (or last changed) longer ago than DUR, like 1h or 30m")
	c.Flags().BoolVar(&f.orphaned, "orphaned", false, "only orphans: no live process holds them and their creator is gone")
	c.Flags().StringVar(&f.name, "name", "", "only objects whose name, key (0x…) or address (id:N) matches the glob")
}

// build checks the flags and turns them into a filter and the listing options it needs.
func (f *filterFlags) build() (inventory.Filter, inventory.Options, error) {
	var flt inventory.Filter
	opts := inventory.Options{Holders: true, QueueAttrs: true}
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
process: their last sender, receiver or operator stands in while it is alive. Without root, other
users' processes cannot be inspected: ipcx says so on stderr.

An object is ORPHANED when no live process holds it and its creator is gone (only System V shm
records its creator; for the other kinds "nobody holds it" is the whole test).

SIZE is bytes for shared memory, bytes queued for message queues, and the number of semaphores
for a semaphore set.

COLUMNS (-o)
  kind flavor name key id address owner uid gid mode size messages cpid lpid ctime lastop holders orphaned

SORT FIELDS (--sort)
  ` + strings.Join(inventory.SortFields, " ") + `

JSON
  An array of objects: kind, flavor, address, name or key and id, owner, uid, gid, cuid, cgid,
  mode, size, messages, cpid, lpid, ctime, lastOp (RFC 3339), holders [{pid, comm, how}],
  orphaned. An empty listing is [].

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
	Name    string  `json:"name,omitempty"` // POSIX
	Key     *string `json:"key,omitempty"`  // System V
	ID      *int    `json:"id,omitempty"`   // System V
}

func newObjectRef(o *inventory.Object) objectRef {
	r := objectRef{Kind: string(o.Kind), Flavor: string(o.Flavor), Address: o.Address()}
	if o.Flavor == inventory.POSIX {
		r.Name = o.Name
	} else {
		k, id := o.Key.String(), int(o.ID)
		r.Key, r.ID = &k, &id
	}
	return r
}

// lsRow is one object as ls reports it; the JSON field names are pinned by a test.
type lsRow struct {
	objectRef
	Owner    string       `json:"owner"`
	UID      uint32       `json:"uid"`
	GID      uint32       `json:"gid"`
	CUID     uint32       `json:"cuid"`
	CGID     uint32       `json:"cgid"`
	Mode     string       `json:"mode"`
	Size     *int64       `json:"size"` // nil: unknown (a POSIX queue the caller may not read)
	Messages *int64       `json:"messages,omitempty"`
	CPID     *int         `json:"cpid,omitempty"`
	LPID     *int         `json:"lpid,omitempty"`
	CTime    *time.Time   `json:"ctime"`
	LastOp   *time.Time   `json:"lastOp"`
	Holders  []holderJSON `json:"holders"`
	Orphaned *bool        `json:"orphaned"`
}

type holderJSON struct {
	PID  int    `json:"pid"`
	Comm string `json:"comm"`
	How  string `json:"how"`
}

func newLsRow(o *inventory.Object) lsRow {
	r := lsRow{objectRef: newObjectRef(o), Owner: userName(o.UID),
		UID: o.UID, GID: o.GID, CUID: o.CUID, CGID: o.CGID, Mode: render.Mode(o.Mode & 0o777),
		Holders: []holderJSON{}}
	if o.Size >= 0 {
		n := o.Size
		r.Size = &n
	}
	if o.Kind == inventory.MQ && o.Messages >= 0 {
		m := o.Messages
		r.Messages = &m
	}
	pid := func(p int) *int {
		if p <= 0 {
			return nil
		}
		return &p
	}
	lastOp := time.Time{}
	switch {
	case o.Flavor == inventory.SysV && o.Kind == inventory.Shm:
		r.CPID, r.LPID = pid(o.CPID), pid(o.LPID)
		lastOp = later(o.ATime, o.DTime)
	case o.Flavor == inventory.SysV && o.Kind == inventory.MQ:
		if o.RTime.After(o.STime) {
			r.LPID = pid(o.LRPID)
		} else {
			r.LPID = pid(o.LSPID)
		}
		lastOp = later(o.STime, o.RTime)
	case o.Flavor == inventory.SysV && o.Kind == inventory.Sem:
		for _, p := range o.SemPIDs {
			if p > 0 {
				r.LPID = pid(p)
				break
			}
		}
		lastOp = o.OTime
	default:
		lastOp = o.MTime
	}
	if !o.CTime.IsZero() {
		t := o.CTime.UTC()
		r.CTime = &t
	}
	if !lastOp.IsZero() {
		t := lastOp.UTC()
		r.LastOp = &t
	}
	for _, h := range o.Holders {
		r.Holders = append(r.Holders, holderJSON{PID: h.PID, Comm: h.Comm, How: h.How})
	}
	if o.HoldersKnown {
		b := o.Orphaned
		r.Orphaned = &b
	}
	return r
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func optPid(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

// lsColumns are every column ls can show, by -o name.
var lsColumns = map[string]render.Column[lsRow]{
	"kind":   {Header: "KIND", Value: func(r lsRow) string { return r.Kind }},
	"flavor": {Header: "FLAVOR", Value: func(r lsRow) string { return r.Flavor }},
	"name": {Header: "NAME", Value: func(r lsRow) string {
		if r.Key != nil {
			return *r.Key
		}
		return r.Name
	}},
	"key": {Header: "KEY", Value: func(r lsRow) string {
		if r.Key == nil {
			return "-"
		}
		return *r.Key
	}},
	"id":      {Header: "ID", Value: func(r lsRow) string { return optPid(r.ID) }},
	"address": {Header: "ADDRESS", Value: func(r lsRow) string { return r.Address }},
	"owner":   {Header: "OWNER", Value: func(r lsRow) string { return r.Owner }},
	"uid":     {Header: "UID", Value: func(r lsRow) string { return fmt.Sprint(r.UID) }},
	"gid":     {Header: "GID", Value: func(r lsRow) string { return fmt.Sprint(r.GID) }},
	"mode":    {Header: "MODE", Value: func(r lsRow) string { return r.Mode }},
	"size": {Header: "SIZE", Value: func(r lsRow) string {
		if r.Size == nil {
			return "-"
		}
		return fmt.Sprint(*r.Size)
	},
		Human: func(r lsRow) string {
			if r.Size == nil {
				return "-"
			}
			if r.Kind == "sem" {
				return fmt.Sprint(*r.Size)
			}
			return render.HumanSize(*r.Size)
		}},
	"messages": {Header: "MSGS", Value: func(r lsRow) string {
		if r.Messages == nil {
			return "-"
		}
		return fmt.Sprint(*r.Messages)
	}},
	"cpid": {Header: "CPID", Value: func(r lsRow) string { return optPid(r.CPID) }},
	"lpid": {Header: "LPID", Value: func(r lsRow) string { return optPid(r.LPID) }},
	"ctime": {Header: "CTIME", Value: func(r lsRow) string { return optTime(r.CTime, false) },
		Human: func(r lsRow) string { return optTime(r.CTime, true) }},
	"lastop": {Header: "LASTOP", Value: func(r lsRow) string { return optTime(r.LastOp, false) },
		Human: func(r lsRow) string { return optTime(r.LastOp, true) }},
	"holders": {Header: "HOLDERS", Value: func(r lsRow) string {
		if len(r.Holders) == 0 {
			return "-"
		}
		s := make([]string, len(r.Holders))
		for i, h := range r.Holders {
			s[i] = fmt.Sprintf("%d(%s)", h.PID, h.Comm)
		}
		return strings.Join(s, ",")
	}},
	"orphaned": {Header: "ORPHANED", Value: func(r lsRow) string {
		if r.Orphaned == nil {
			return "?"
		}
		if *r.Orphaned {
			return "yes"
		}
		return "no"
	}},
}

var lsDefaultColumns = []string{"kind", "flavor", "name", "id", "owner", "mode", "size", "cpid", "lpid", "ctime", "holders"}

func lsColumnsFor(names []string) ([]render.Column[lsRow], error) {
	if len(names) == 0 {
		names = lsDefaultColumns
	}
	cols := make([]render.Column[lsRow], 0, len(names))
	for _, n := range names {
		col, ok := lsColumns[strings.ToLower(n)]
		if !ok {
			all := make([]string, 0, len(lsColumns))
			for k := range lsColumns {
				all = append(all, k)
			}
			sort.Strings(all)
			return nil, usageErrorf("unknown column %q: want some of %s", n, strings.Join(all, ","))
		}
		cols = append(cols, col)
	}
	return cols, nil
}

// listSelected lists the namespace and applies the filter and sort order. It runs inside the
// namespace. Warnings go to stderr.
func listSelected(io *iostreams.IOStreams, ns inventory.Namespace, ff *filterFlags, sortBy, verb string) ([]inventory.Object, error) {
	flt, opts, err := ff.build()
	if err != nil {
		return nil, err
	}
	var objs []inventory.Object
	err = ns.Do(func() error {
		inv, err := ns.List(opts)
		if err != nil {
			return err
		}
		for _, w := range inv.Warnings {
			fmt.Fprintf(io.ErrOut, "ipcx: %s: %v\n", verb, w)
		}
		if inv.Partial && flt.Orphaned {
			why := "permission denied"
			if os.Geteuid() != 0 {
				why = "other users' processes need root"
			}
			fmt.Fprintf(io.ErrOut, "ipcx: %s: some processes could not be inspected (%s): an orphan may still be held\n", verb, why)
		}
		objs = inventory.Select(inv.Objects, flt)
		return nil
	})
	if err != nil {
		if _, ok := err.(*cmdError); ok {
			return nil, err
		}
		if !ns.Own() {
			return nil, nsFail(ns, err)
		}
		return nil, &cmdError{code: exitFailure, msg: fmt.Sprintf("%s: %v", verb, err)}
	}
	if sortBy != "" {
		if err := inventory.Sort(objs, sortBy, userName); err != nil {
			return nil, usageErrorf("--sort: %v", err)
		}
	}
	return objs, nil
}

func lsRun(opts *lsOptions) error {
	// A listing is short-lived and allocates in proportion to the objects (about 2 KiB each): no
	// collection cycles while it runs, unless memory grows past a bound. With 20,000 objects the
	// collector's work was a third of the time.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
	cols, err := lsColumnsFor(opts.columns)
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
		if err := inventory.Sort(nil, opts.sort, userName); err != nil {
			return usageErrorf("--sort: %v", err)
		}
	}
	if _, _, err := opts.filter.build(); err != nil {
		return err
	}
	frame := func() ([]byte, error) {
		objs, err := listSelected(opts.io, opts.ns, &opts.filter, opts.sort, "ls")
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		if opts.json {
			err = lsJSONObjects(&b, objs)
			return b.Bytes(), err
		}
		rows := make([]lsRow, len(objs))
		for i := range objs {
			rows[i] = newLsRow(&objs[i])
		}
		{
			err = render.Table(&b, opts.io.OutTTY, cols, rows)
		}
		return b.Bytes(), err
	}
	if opts.watch == 0 {
		b, err := frame()
		if err != nil {
			return err
		}
		_, err = opts.io.Out.Write(b)
		return err
	}
	return watch(opts.io, opts.watch, frame)
}

// lsJSON writes rows exactly as render.JSON would (an indented array, [] when empty), with an
// encoder written for lsRow: with tens of thousands of objects, reflection and re-indenting one
// huge document cost more than the listing itself. TestLsJSONMatchesEncoding holds the two to the
// same bytes.
func lsJSON(w io.Writer, rows []lsRow) error {
	if len(rows) == 0 {
		return render.JSON(w, rows)
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	b := make([]byte, 0, 1024)
	bw.WriteString("[\n")
	for i := range rows {
		b = appendLsRow(b[:0], &rows[i])
		if i < len(rows)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

// lsJSONObjects writes objs as lsJSON writes their rows, converting and encoding chunks of them
// on every CPU: for tens of thousands of objects this is a good part of a listing.
func lsJSONObjects(w io.Writer, objs []inventory.Object) error {
	if len(objs) == 0 {
		return render.JSON(w, []lsRow{})
	}
	n := min(runtime.GOMAXPROCS(0), (len(objs)+999)/1000)
	chunks := make([][]byte, n)
	var wg sync.WaitGroup
	for c := 0; c < n; c++ {
		lo, hi := c*len(objs)/n, (c+1)*len(objs)/n
		wg.Go(func() {
			b := make([]byte, 0, (hi-lo)*600)
			for i := lo; i < hi; i++ {
				r := newLsRow(&objs[i])
				b = appendLsRow(b, &r)
				if i < len(objs)-1 {
					b = append(b, ',')
				}
				b = append(b, '\n')
			}
			chunks[c] = b
		})
	}
	wg.Wait()
	if _, err := io.WriteString(w, "[\n"); err != nil {
		return err
	}
	for _, b := range chunks {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]\n")
	return err
}

// jsonMembers appends `"name": value` members at one indentation, with the commas between them.
type jsonMembers struct {
	b      []byte
	indent string
	n      int
}

func (f *jsonMembers) key(name string) {
	if f.n > 0 {
		f.b = append(f.b, ',')
	}
	f.n++
	f.b = append(f.b, '\n')
	f.b = append(f.b, f.indent...)
	f.b = append(f.b, '"')
	f.b = append(f.b, name...)
	f.b = append(f.b, `": `...)
}

func (f *jsonMembers) str(name, v string) { f.key(name); f.b = appendJSONString(f.b, v) }
func (f *jsonMembers) int(name string, v int64) {
	f.key(name)
	f.b = strconv.AppendInt(f.b, v, 10)
}
func (f *jsonMembers) time(name string, t *time.Time) {
	f.key(name)
	if t == nil {
		f.b = append(f.b, "null"...)
		return
	}
	f.b = append(f.b, '"')
	f.b = t.AppendFormat(f.b, time.RFC3339Nano)
	f.b = append(f.b, '"')
}

// appendJSONString appends s as encoding/json writes it (without HTML escaping).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.Encode(s)
			return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendLsRow(b []byte, r *lsRow) []byte {
	b = append(b, "  {"...)
	f := jsonMembers{b: b, indent: "    "}
	f.str("kind", r.Kind)
	f.str("flavor", r.Flavor)
	f.str("address", r.Address)
	if r.Name != "" {
		f.str("name", r.Name)
	}
	if r.Key != nil {
		f.str("key", *r.Key)
	}
	if r.ID != nil {
		f.int("id", int64(*r.ID))
	}
	f.str("owner", r.Owner)
	f.int("uid", int64(r.UID))
	f.int("gid", int64(r.GID))
	f.int("cuid", int64(r.CUID))
	f.int("cgid", int64(r.CGID))
	f.str("mode", r.Mode)
	if r.Size == nil {
		f.key("size")
		f.b = append(f.b, "null"...)
	} else {
		f.int("size", *r.Size)
	}
	if r.Messages != nil {
		f.int("messages", *r.Messages)
	}
	if r.CPID != nil {
		f.int("cpid", int64(*r.CPID))
	}
	if r.LPID != nil {
		f.int("lpid", int64(*r.LPID))
	}
	f.time("ctime", r.CTime)
	f.time("lastOp", r.LastOp)
	f.key("holders")
	if r.Holders == nil {
		f.b = append(f.b, "null"...)
	} else if len(r.Holders) == 0 {
		f.b = append(f.b, "[]"...)
	} else {
		f.b = append(f.b, '[')
		for i, h := range r.Holders {
			if i > 0 {
				f.b = append(f.b, ',')
			}
			f.b = append(f.b, "\n      {"...)
			hf := jsonMembers{b: f.b, indent: "        "}
			hf.int("pid", int64(h.PID))
			hf.str("comm", h.Comm)
			hf.str("how", h.How)
			f.b = append(hf.b, "\n      }"...)
		}
		f.b = append(f.b, "\n    ]"...)
	}
	f.key("orphaned")
	switch {
	case r.Orphaned == nil:
		f.b = append(f.b, "null"...)
	case *r.Orphaned:
		f.b = append(f.b, "true"...)
	default:
		f.b = append(f.b, "false"...)
	}
	return append(f.b, "\n  }"...)
}

// watch redraws frame every interval until interrupted. On a terminal it redraws in place without
// clearing the screen first (no flicker): home the cursor, overwrite each line clearing its rest,
// then clear below. Piped, frames follow each other separated by a blank line.
func watch(io *iostreams.IOStreams, every time.Duration, frame func() ([]byte, error)) error {
	ctx, stop := interruptContext(context.Background())
	defer stop()
	t := time.NewTicker(every)
	defer t.Stop()
	first := true
	for {
		b, err := frame()
		if err != nil {
			return err
		}
		var out bytes.Buffer
		if io.OutTTY {
			out.WriteString("\x1b[H")
			if first {
				out.WriteString("\x1b[2J\x1b[H")
			}
			fmt.Fprintf(&out, "every %s: ipcx ls    %s\x1b[K\n\x1b[K\n", every, time.Now().Format("15:04:05"))
			out.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\x1b[K\n")))
			out.WriteString("\x1b[J")
		} else {
			if !first {
				out.WriteByte('\n')
			}
			out.Write(b)
		}
		first = false
		if _, err := io.Out.Write(out.Bytes()); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			// The usual way out of a watch: no message, the exit code says which signal.
			return &silentExit{code: exitSignalBase + int(interruptSignal())}
		case <-t.C:
		}
	}
}
