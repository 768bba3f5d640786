package main

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// wholeTree is a treeBuilder that always builds the whole tree, as run did before it built parts.
func wholeTree(io *iostreams.IOStreams, _ []string) (*cobra.Command, *bool) {
	return newRootCmd(io), nil
}

// describeTree is everything a command line can meet in c's subtree: the commands, their words, their
// checks and their flags (the global --ns, whose help lists the whole tree, is root's).
func describeTree(c *cobra.Command) string {
	var b strings.Builder
	walk(c, func(c *cobra.Command) { b.WriteString(describeCmd(c)) })
	return b.String()
}

// describeCmd is describeTree of c alone, without its subcommands.
func describeCmd(c *cobra.Command) string {
	var b strings.Builder
	{
		var ann []string
		for k, v := range c.Annotations {
			ann = append(ann, k+"="+v)
		}
		sort.Strings(ann)
		fmt.Fprintf(&b, "%s\nUse=%q Short=%q Long=%q Example=%q Group=%q Ann=%v Hidden=%v Args=%v Run=%v NoFlags=%v Valid=%v\n",
			c.CommandPath(), c.Use, c.Short, c.Long, c.Example, c.GroupID, ann, c.Hidden, c.Args != nil,
			c.RunE != nil || c.Run != nil, c.DisableFlagParsing, c.ValidArgs)
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				fmt.Fprintf(&b, "  --%s -%s %s %q def=%q noopt=%q hidden=%v\n", f.Name, f.Shorthand, f.Value.Type(), f.Usage, f.DefValue, f.NoOptDefVal, f.Hidden)
			})
		}
	}
	return b.String()
}

// TestTopCommandsAreTheTree: topCommands, from which newRootCmdFor builds a part, names every
// command under the root, and each part is the whole tree's subtree to the last flag.
func TestTopCommandsAreTheTree(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	whole := newRootCmd(ios)
	var names []string
	for _, c := range whole.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue // cobra's: a command line that starts with them gets the whole tree
		}
		names = append(names, c.Name())
		for _, a := range c.Aliases {
			t.Errorf("%s has alias %s: newRootCmdFor does not know aliases", c.Name(), a)
		}
	}
	var top []string
	for _, tc := range topCommands() {
		top = append(top, tc.name)
	}
	sort.Strings(top)
	if strings.Join(names, " ") != strings.Join(top, " ") {
		t.Fatalf("the tree has %v, topCommands %v", names, top)
	}
	for _, name := range names {
		sub, wantHelp := newRootCmdFor(ios, []string{name, "x"})
		if wantHelp == nil || len(sub.Commands()) != 1 {
			t.Errorf("%s x: not a part of the tree (%d commands)", name, len(sub.Commands()))
			continue
		}
		want, _, _ := whole.Find([]string{name})
		if got, want := describeTree(sub.Commands()[0]), describeTree(want); got != want {
			t.Errorf("%s: the part differs from the whole tree:\n%s\nwant:\n%s", name, got, want)
		}
	}
	for _, tc := range topCommands() {
		group := subcommand(whole, tc.name) // not Find, which merges root's --ns into the group's flags
		var verbs, subs []string
		for _, v := range tc.verbs {
			verbs = append(verbs, v.name)
		}
		for _, c := range group.Commands() {
			subs = append(subs, c.Name())
			for _, a := range c.Aliases {
				t.Errorf("%s %s has alias %s: newRootCmdFor does not know aliases", tc.name, c.Name(), a)
			}
		}
		sort.Strings(verbs) // as Commands() are
		if tc.verbs != nil && strings.Join(verbs, " ") != strings.Join(subs, " ") {
			t.Errorf("%s: the tree has %v, its verbs %v", tc.name, subs, verbs)
		}
		// every verb built alone is the whole tree's, under a group that is the whole tree's
		for _, v := range verbs {
			root := part(t, ios, tc.name, v, "x")
			if len(root.Commands()) != 1 || len(root.Commands()[0].Commands()) != 1 {
				t.Errorf("%s %s x: not the group with the one verb", tc.name, v)
				continue
			}
			g := root.Commands()[0]
			if got, want := describeCmd(g), describeCmd(group); got != want {
				t.Errorf("%s %s: the group differs from the whole tree's:\n%s\nwant:\n%s", tc.name, v, got, want)
			}
			if got, want := describeTree(g.Commands()[0]), describeTree(subcommand(group, v)); got != want {
				t.Errorf("%s %s: built alone, it differs from the whole tree's:\n%s\nwant:\n%s", tc.name, v, got, want)
			}
		}
	}
	if got, want := describeTree(part(t, ios, "--version")), describeTree(newRootBase(ios)); got != want {
		t.Errorf("--version's root:\n%s\nwant:\n%s", got, want)
	}
}

// subcommand is c's subcommand called name, or nil.
func subcommand(c *cobra.Command, name string) *cobra.Command {
	for _, s := range c.Commands() {
		if s.Name() == name {
			return s
		}
	}
	return nil
}

func part(t *testing.T, ios *iostreams.IOStreams, args ...string) *cobra.Command {
	t.Helper()
	root, wantHelp := newRootCmdFor(ios, args)
	if wantHelp == nil {
		t.Fatalf("%q: the whole tree, want a part", args)
	}
	return root
}

// TestRootCmdForParts: the short commands get a part; what needs the whole tree gets it.
func TestRootCmdForParts(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	for _, args := range [][]string{{"--version"}, {"-v"}, {"mq", "send", "/q", "x"}, {"mq", "recv", "/q"},
		{"sem", "post", "/s"}, {"sem", "wait", "/s"}, {"ipcs", "-q"}, {"ls", "--json"}, {"mq", "send", "--help"}} {
		root := part(t, ios, args...)
		if n := len(root.Commands()); n > 1 {
			t.Errorf("%q: %d commands, want the one named", args, n)
		}
		if n := len(root.Commands()); n == 1 && len(args) > 1 {
			if c, _, _ := root.Find(args[:2]); c == nil || c.Name() != args[1] && !strings.HasPrefix(args[1], "-") {
				t.Errorf("%q: %s not in its part", args, args[1])
			} else if g := root.Commands()[0]; g.HasSubCommands() && len(g.Commands()) != 1 {
				t.Errorf("%q: %s has %d subcommands, want the one named", args, g.Name(), len(g.Commands()))
			}
		}
	}
	// a group with no verb, a flag, an unknown or a misspelt word before it is built whole
	for _, args := range [][]string{{"mq"}, {"mq", "--help"}, {"mq", "-h", "recv"}, {"mq", "nosuch"}, {"sem", "Post", "/s"},
		{"sig", "--bogus", "list"}, {"fifo", ""}} {
		root := part(t, ios, args...)
		group, _, _ := newRootCmd(ios).Find(args[:1])
		if len(root.Commands()) != 1 || len(root.Commands()[0].Commands()) != len(group.Commands()) {
			t.Errorf("%q: not the whole group", args)
		}
	}
	for _, args := range [][]string{{}, {"--help"}, {"help", "mq"}, {"completion", "bash"}, {"__complete", "mq", ""},
		{"__completeNoDesc", "m"}, {"--ns", "1", "mq", "ls"}, {"mq", "ls", "--ns=1"}, {"ipcs", "--ns", "1"},
		{"nosuch"}, {"--version", "x"}, {"-h"}} {
		if _, wantHelp := newRootCmdFor(ios, args); wantHelp != nil {
			t.Errorf("%q: a part, want the whole tree", args)
		}
	}
}

// TestPartsSayWhatTheWholeSays runs command lines on their part and on the whole tree: the same
// output, errors and exit codes. Help (its --ns line lists the whole tree) is printed by the
// whole tree, also when a command asks for it itself (sig send, the compat tools).
func TestPartsSayWhatTheWholeSays(t *testing.T) {
	for _, line := range []string{
		"--version", "-v", "mq", "mq nosuch", "mq send", "mq send --bogus /q x", "mq send --help",
		"mq send -h", "mq --help", "mq recv --count x /q", "mq recv --count 0 /q", "mq recv --nonblock /zz-parts-none",
		"sem wait --timeout abc /s", "sem post /zz-parts-none", "sem", "sig send --help", "sig send -h", "sig list",
		"sig send", "ipcs --help", "ipcs -h", "ipcs -q", "ipcs -a", "ipcs --bogus", "ipcmk --help", "lsipc --help",
		"ipcrm -h", "ls --help", "ls -o nosuch", "ls --json", "ls", "limits", "ftok", "audit --json", "pipe --help",
		"sock --help", "sock send", "fifo stat /nonexistent/zz", "shm ls --help", "shm ls -o key", "rm",
		"mq stat --help", "mq stat /zz-parts-none", "mq recv --help", "mq recv -h", "mq nosuch x", "mq --bogus recv",
		"mq -h recv", "mq help recv", "mq Recv", "sem post", "sem post --help", "sem wait --bogus /s", "shm read",
		"shm read --length x /zz", "sig wait --timeout x USR1", "sig list --bogus", "fifo stat", "fifo nosuch",
		"sock ls --bogus", "sock connect --help", "sem post /a /b",
	} {
		args := strings.Fields(line)
		pios, _, pout, perr := iostreams.Test()
		pcode := run(args, pios)
		wios, _, wout, werr := iostreams.Test()
		wcode := runWith(wholeTree, args, wios)
		if pcode != wcode || pout.String() != wout.String() || perr.String() != werr.String() {
			t.Errorf("ipcx %s: on its part: exit %d\n%s%s\non the whole tree: exit %d\n%s%s", line,
				pcode, pout, perr, wcode, wout, werr)
		}
	}
	// the help of a part names every command that takes --ns
	ios, _, _, _ := iostreams.Test()
	nsLine := nsFlagHelp(newRootCmd(ios))
	out, _, code := runIpcx("mq", "send", "--help")
	if code != 0 || !strings.Contains(out, nsLine) {
		t.Errorf("mq send --help: exit %d, --ns line is not %q:\n%s", code, nsLine, out)
	}
}
