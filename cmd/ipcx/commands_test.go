package main

import (
	"errors"
	"flag"
	"github.com/ipcx/ipcx/internal/benchplot"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra/doc"

	"github.com/ipcx/ipcx/internal/addr"
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestEveryCommand checks what every command owes its users: a Short line, examples on commands
// that do something, EXIT STATUS in the help of every ipcx noun, and no shorthand used twice.
func TestEveryCommand(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	root := newRootCmd(ios)
	root.InitDefaultCompletionCmd()
	walk(root, func(c *cobra.Command) {
		name := c.CommandPath()
		if c.Short == "" {
			t.Errorf("%s has no Short", name)
		}
		if c.Hidden || strings.HasPrefix(name, "ipcx completion") || strings.HasPrefix(name, "ipcx help") {
			return
		}
		if c.Runnable() && c.Example == "" {
			t.Errorf("%s has no Example", name)
		}
		for _, line := range strings.Split(c.Example, "\n") {
			if line != "" && !strings.HasPrefix(strings.TrimSpace(line), "$ ipcx") && !strings.HasPrefix(strings.TrimSpace(line), "$ ") {
				t.Errorf("%s: example line %q does not start with $", name, line)
			}
		}
		if !strings.Contains(c.Long, "EXIT STATUS") {
			t.Errorf("%s: Long has no EXIT STATUS block", name)
		}
		seen := map[string]string{}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Shorthand == "" {
				return
			}
			if other, ok := seen[f.Shorthand]; ok {
				t.Errorf("%s: -%s is the shorthand of both --%s and --%s", name, f.Shorthand, other, f.Name)
			}
			seen[f.Shorthand] = f.Name
		})
	})
}

// updateMan makes TestManPagesFresh write man/ instead of checking it (scripts/gen-man). The man
// generator lives in the tests so that its packages (a markdown renderer, yaml) are not linked
// into ipcx, where their initialization would slow every start.
var updateMan = flag.Bool("update-man", false, "write man/ from the commands")

// manDate is the date printed in the man pages: fixed, so that regenerated pages diff cleanly.
var manDate = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

// genMan writes one man page per command into dir, from a fresh command tree.
func genMan(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ios, _, _, _ := iostreams.Test()
	root := newRootCmd(ios)
	root.DisableAutoGenTag = true
	hdr := &doc.GenManHeader{Title: "IPCX", Section: "1", Date: &manDate, Source: "ipcx", Manual: "ipcx manual"}
	if err := doc.GenManTree(root, hdr, dir); err != nil {
		return err
	}
	// ipcx-plot (cmd/ipcx-plot), the program ipcx bench --plot runs, has its page beside them
	plot := &cobra.Command{Use: "ipcx-plot REPORT.json|- PICTURE.svg|PICTURE.png...",
		Short: "Draw the pictures of an ipcx bench --json report", Long: benchplot.Help,
		Example:           "  $ ipcx bench --json --size 64,4K > run.json && ipcx-plot run.json run.svg run.png",
		DisableAutoGenTag: true, Run: func(*cobra.Command, []string) {}}
	plot.SetHelpCommand(&cobra.Command{Hidden: true})
	hdr = &doc.GenManHeader{Title: "IPCX-PLOT", Section: "1", Date: &manDate, Source: "ipcx", Manual: "ipcx manual"}
	return doc.GenManTree(plot, hdr, dir)
}

// TestManPagesFresh fails when man/ is not what scripts/gen-man writes from the commands.
func TestManPagesFresh(t *testing.T) {
	if *updateMan {
		old, _ := filepath.Glob(filepath.Join("..", "..", "man", "*.1"))
		for _, f := range old {
			os.Remove(f)
		}
		if err := genMan(filepath.Join("..", "..", "man")); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	if err := genMan(dir); err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Glob(filepath.Join(dir, "*.1"))
	have, _ := filepath.Glob(filepath.Join("..", "..", "man", "*.1"))
	if len(want) != len(have) {
		t.Errorf("man/ has %d pages, the commands make %d: run scripts/gen-man", len(have), len(want))
	}
	for _, w := range want {
		wb, _ := os.ReadFile(w)
		hb, err := os.ReadFile(filepath.Join("..", "..", "man", filepath.Base(w)))
		if err != nil || string(wb) != string(hb) {
			t.Errorf("man/%s is stale or missing: run scripts/gen-man", filepath.Base(w))
		}
	}
}

// A permission error points at a listing where the noun has one (it works for any user), else at
// stat of the object itself.
func TestPermissionHint(t *testing.T) {
	for _, tt := range []struct{ noun, addr, want string }{
		{"mq", "/jobs", "ipcx mq ls"},
		{"sem", "key:0x1", "ipcx sem ls"},
		{"shm", "/frame", "ipcx shm ls"},
		{"fifo", "/tmp/f", "ipcx fifo stat /tmp/f"},
	} {
		objs := map[string]failure.Object{"mq": mqObject(tt.addr), "sem": semObject(addr.Addr{Kind: addr.Key}),
			"shm": shmObject(addr.Addr{Kind: addr.POSIX}), "fifo": fifoObject(tt.addr)}
		o := objs[tt.noun]
		o.Addr = tt.addr
		var e *failure.Error
		ok := errors.As(o.Explain(fs.ErrPermission), &e)
		if !ok || e.Code != failure.Failure || e.Hint != "see its owner and mode with: "+tt.want {
			t.Errorf("%s %s: permission denied gives %#v, want the hint %q", tt.noun, tt.addr, e, tt.want)
		}
	}
	// sock has a permission row of its own; its hints point at sock ls all the same.
	if !sockObject("unix:/run/x.sock").Listable {
		t.Error("sock has ls: its objects are listable")
	}
}
