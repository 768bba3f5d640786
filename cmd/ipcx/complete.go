package main

import (
	"bufio"
	"github.com/ipcx/ipcx/internal/bench"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/ipcx/ipcx/internal/complete"
	"github.com/ipcx/ipcx/internal/inventory"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Live shell completion (ipcx completion bash|zsh|fish; the scripts call ipcx __complete): what an
// argument completes is read from the command's Use line (ADDR, /NAME, PATH, SIG, TARGET, PID)
// and its noun; what a flag's value completes from the values its parser takes (completeFrom),
// or, for flags that name a signal or a process, from the flag's name. internal/complete finds
// the candidates.

// completeValuesAnnotation is the flag annotation completeFrom sets: the values a flag takes.
const completeValuesAnnotation = "ipcx/complete-values"

// completeFrom records that c's flag name takes one of values (a comma-separated list of them for
// a slice flag): the very slice its parser checks, so that completion offers what is accepted.
func completeFrom(c *cobra.Command, name string, values []string) {
	c.Flags().SetAnnotation(name, completeValuesAnnotation, values)
}

// kindNames are the kinds --kind takes, as words.
func kindNames() []string {
	var names []string
	for _, k := range inventory.Kinds {
		names = append(names, string(k))
	}
	return names
}

// signalFlag and pidFlag say whether the flag named name takes a signal or a process.
func signalFlag(name string) bool { return name == "then" || name == "sig" }

func pidFlag(name string) bool { return name == "ns" || name == "target" || name == "sender" }

// registerCompletions gives every command of the tree under root the completion of its
// arguments and of its flags' values. Call it once the tree is built. The commands are wired
// only when the shell asks for completions (cobra's __complete, which runs root's persistent
// pre-run before it completes), and then only the one being completed: other invocations of ipcx
// pay nothing for it.
func registerCompletions(root *cobra.Command) {
	pre := root.PersistentPreRunE
	root.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		if c.Name() == cobra.ShellCompRequestCmd {
			// Only the command being completed and those above it (root's --ns), found as
			// __complete finds it: its arguments but the word being typed.
			target, _, err := root.Find(args[:max(len(args)-1, 0)])
			if err != nil {
				walk(root, registerCommand)
			}
			for ; err == nil && target != nil; target = target.Parent() {
				registerCommand(target)
			}
		}
		if pre != nil {
			return pre(c, args)
		}
		return nil
	}
}

// registerCommand wires the completion of one command's arguments and flags.
func registerCommand(c *cobra.Command) {
	if c.ValidArgsFunction == nil && len(c.ValidArgs) == 0 && c.Runnable() {
		c.ValidArgsFunction = completeArgs
	}
	c.LocalFlags().VisitAll(func(f *pflag.Flag) {
		if fn := flagCompletion(f); fn != nil {
			_ = c.RegisterFlagCompletionFunc(f.Name, fn)
		}
	})
}

// flagCompletion is the completion of a flag's value; nil for a flag that takes none.
func flagCompletion(f *pflag.Flag) cobra.CompletionFunc {
	if f.NoOptDefVal != "" {
		return nil // a bool, or --watch: a value only with =
	}
	list := strings.Contains(f.Value.Type(), "Slice")
	fn := flagCompletionOf(f, list)
	if fn == nil {
		return nil
	}
	return func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		bufferCompletions(c)
		return fn(c, args, toComplete)
	}
}

// flagCompletionOf is flagCompletion unbuffered.
func flagCompletionOf(f *pflag.Flag, list bool) cobra.CompletionFunc {
	switch values, ok := f.Annotations[completeValuesAnnotation]; {
	case ok:
		return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return shellResult(complete.Values(values, toComplete, list))
		}
	case signalFlag(f.Name):
		return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return shellResult(signalList(toComplete, list))
		}
	case pidFlag(f.Name):
		return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return shellResult(complete.Processes(toComplete, false))
		}
	case strings.Contains(f.Name, "file"):
		return nil // a path: the shell's own file completion
	}
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveNoFileComp // a number, a size, a mode, a command line
	}
}

// signalList completes one signal, or the last of a comma-separated list of them.
func signalList(toComplete string, list bool) complete.Result {
	head := ""
	if i := strings.LastIndexByte(toComplete, ','); list && i >= 0 {
		head, toComplete = toComplete[:i+1], toComplete[i+1:]
	}
	r := complete.Signals(toComplete, false)
	for i := range r.Candidates {
		r.Candidates[i].Value = head + r.Candidates[i].Value
	}
	return r
}

// useWords are the argument words of a Use line, up to the first --, flag or alternative (|), with
// whether the last one repeats: "send SIG TARGET..." is [SIG TARGET], true. Brackets (optional
// words) are dropped; [flags] and [options] are no argument.
func useWords(use string) ([]string, bool) {
	fields := strings.Fields(use)
	var words []string
	variadic := false
	for _, f := range fields[min(1, len(fields)):] {
		if strings.HasPrefix(f, "-") || f == "|" {
			break // --, or the flags after the arguments ("create ADDR --size N"), or another form
		}
		f = strings.Trim(f, "[]")
		if f == "flags" || f == "options" {
			continue
		}
		variadic = strings.HasSuffix(f, "...")
		words = append(words, strings.TrimSuffix(f, "..."))
	}
	return words, variadic
}

// completeArgs completes the argument being typed from the word of the Use line at its position.
func completeArgs(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	bufferCompletions(c)
	// cobra parses the line once with a -- appended, and pflag keeps the first -- it saw: a
	// dash before the last argument is the user's. A command line after it completes files.
	if d := c.ArgsLenAtDash(); d >= 0 && d < len(args) {
		return nil, cobra.ShellCompDirectiveDefault
	}
	if c.DisableFlagParsing {
		var value *pflag.Flag
		args, value = positionals(c, args, toComplete)
		if value != nil {
			if fn := flagCompletion(value); fn != nil {
				return fn(c, args, strings.TrimPrefix(toComplete, "--"+value.Name+"="))
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
	}
	words, variadic := useWords(c.Use)
	pos := len(args)
	if pos >= len(words) {
		if strings.Contains(c.Use, " -- ") && c.ArgsLenAtDash() == len(args) {
			return nil, cobra.ShellCompDirectiveDefault // the first word after the user's --
		}
		if !variadic || len(words) == 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		pos = len(words) - 1
	}
	return completeWord(c, words[pos], variadic && pos == len(words)-1, toComplete)
}

// completeWord completes one argument word of c's Use line. Words that take free text (a
// message, a value) offer nothing; a PATH that need not be a FIFO is left to the shell's own file
// completion.
func completeWord(c *cobra.Command, word string, repeats bool, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	noun := ""
	if p := c.Parent(); p != nil && p.HasParent() {
		noun = p.Name()
	}
	switch word {
	case "ADDR", "/NAME":
		if noun == "sock" {
			return shellResult(complete.SocketAddrs(toComplete, c.Name() != "listen"))
		}
		if c.Name() == "create" {
			return shellResult(complete.Values([]string{"private"}, toComplete, false))
		}
		// The flags already given narrow the objects: rm --kind sem, --posix, --sysv.
		changed := func(name string) bool { f := c.Flags().Lookup(name); return f != nil && f.Changed }
		q := complete.ObjectQuery{POSIXOnly: word == "/NAME" || changed("posix"), SysVOnly: changed("sysv")}
		if noun != "" {
			if !slices.Contains(inventory.Kinds, inventory.Kind(noun)) {
				break
			}
			q.Kinds = []inventory.Kind{inventory.Kind(noun)}
		} else if kinds, err := c.Flags().GetStringSlice("kind"); err == nil {
			for _, k := range kinds {
				q.Kinds = append(q.Kinds, inventory.Kind(k))
			}
		}
		// --ns: the objects of that namespace, for the commands that act there (the nouns'
		// stat commands take System V objects only there).
		if how := c.Annotations[nsAnnotation]; how != "" {
			ns, err := namespaceOf(c)
			if err != nil {
				break
			}
			q.NS = ns
			q.SysVOnly = q.SysVOnly || (how == nsWhole && !ns.Own())
		}
		r, err := complete.Objects(q, toComplete)
		if err != nil {
			break
		}
		return shellResult(r)
	case "PATH":
		if noun == "fifo" && c.Name() != "create" {
			return shellResult(complete.Files(toComplete, complete.FIFO))
		}
		return nil, cobra.ShellCompDirectiveDefault
	case "SIG":
		// A signal to send may be 0 (check only); a list of signals to catch may not.
		return shellResult(complete.Signals(toComplete, !repeats))
	case "TARGET":
		return shellResult(complete.Processes(toComplete, true))
	case "PID":
		return shellResult(complete.Processes(toComplete, false))
	case "MECHANISM":
		return shellResult(complete.Values(bench.Mechanisms(), toComplete, false))
	}
	return nil, cobra.ShellCompDirectiveNoFileComp
}

// positionals are the positional arguments among args for a command that parses its own flags
// (sig send, where -1234 is a process group), and the flag whose value is being typed, if any:
// the one before toComplete, or --name= in toComplete.
func positionals(c *cobra.Command, args []string, toComplete string) ([]string, *pflag.Flag) {
	var pos []string
	var value *pflag.Flag
	for i, a := range args {
		switch {
		case value != nil:
			value = nil
		case a == "--":
			return append(pos, args[i+1:]...), nil
		case strings.HasPrefix(a, "-") && !isGroup(a):
			name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
			if f := c.Flags().Lookup(name); f != nil && f.NoOptDefVal == "" && !hasValue {
				value = f
			}
		default:
			pos = append(pos, a)
		}
	}
	if value != nil {
		return pos, value
	}
	if name, _, ok := strings.Cut(toComplete, "="); ok && strings.HasPrefix(name, "--") {
		if f := c.Flags().Lookup(name[2:]); f != nil {
			return pos, f
		}
	}
	return pos, nil
}

// bufferCompletions makes cobra's __complete, which prints each candidate with a write of its
// own, write them in a few large writes: 10,000 objects are 10,000 lines. Its output goes
// through a buffer that is flushed at each line that may be the last, the directive (":4"):
// cobra prints that last, with one write.
//
// A completion is a short-lived process that reads the inventory once: the garbage collector
// is held back until its heap reaches a bound (most of the time it never runs).
func bufferCompletions(c *cobra.Command) {
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(256 << 20)
	if _, ok := c.OutOrStdout().(*directiveFlusher); !ok {
		c.SetOut(&directiveFlusher{w: bufio.NewWriterSize(c.OutOrStdout(), 64<<10)})
	}
}

// directiveFlusher buffers writes and flushes after each one that is a directive line (a colon
// and digits).
type directiveFlusher struct{ w *bufio.Writer }

func (d *directiveFlusher) Write(p []byte) (int, error) {
	n, err := d.w.Write(p)
	if err == nil && isDirective(p) {
		err = d.w.Flush()
	}
	return n, err
}

func isDirective(p []byte) bool {
	s, ok := strings.CutSuffix(string(p), "\n")
	if !ok || len(s) < 2 || s[0] != ':' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isGroup reports whether a is a process group target, -PGID: an argument, not a flag.
func isGroup(a string) bool {
	return len(a) > 1 && a[0] == '-' && strings.Trim(a[1:], "0123456789") == ""
}

// shellResult turns a result into cobra's completions and directive. A word with no candidates
// offers nothing rather than the shell's file names, except a PATH that is not a FIFO's.
func shellResult(r complete.Result) ([]cobra.Completion, cobra.ShellCompDirective) {
	out := make([]cobra.Completion, len(r.Candidates))
	for i, cand := range r.Candidates {
		out[i] = cobra.CompletionWithDesc(cand.Value, cand.Description)
		if cand.Description == "" {
			out[i] = cand.Value
		}
	}
	d := cobra.ShellCompDirectiveNoFileComp
	if r.NoSpace {
		d |= cobra.ShellCompDirectiveNoSpace
	}
	return out, d
}
