package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/testns"
	"github.com/spf13/cobra"
)

// fullRuns is, for every command that prints something on standard output, a command line that
// prints (run after its setup lines, each an ipcx command line), and the objects it leaves to
// remove. A command that prints nothing is in printsNothing; one that waits for a peer is covered
// by a script (stdout_full.txtar) and listed in byScript.
var fullRuns = map[string]struct{ setup, args []string }{
	"ipcx":                       {args: []string{"--help"}},
	"ipcx audit":                 {setup: []string{"mq create /full-audit --mode 0666"}, args: []string{"audit"}},
	"ipcx completion bash":       {args: []string{"completion", "bash"}},
	"ipcx completion fish":       {args: []string{"completion", "fish"}},
	"ipcx completion powershell": {args: []string{"completion", "powershell"}},
	"ipcx completion zsh":        {args: []string{"completion", "zsh"}},
	"ipcx fifo":                  {args: []string{"fifo", "--help"}},
	"ipcx fifo stat":             {setup: []string{"fifo create $D/g"}, args: []string{"fifo", "stat", "$D/g"}},
	"ipcx ftok":                  {args: []string{"ftok", "$D", "1"}},
	"ipcx ipcmk":                 {args: []string{"ipcmk", "-Q"}},
	"ipcx ipcs":                  {args: []string{"ipcs"}},
	"ipcx limits":                {args: []string{"limits"}},
	"ipcx bench":                 {args: []string{"bench", "eventfd", "--count", "100", "--warmup", "10"}},
	"ipcx ls":                    {args: []string{"ls"}},
	"ipcx lsipc":                 {args: []string{"lsipc"}},
	"ipcx mq":                    {args: []string{"mq", "--help"}},
	"ipcx mq create":             {args: []string{"mq", "create", "--json", "/full-mq"}},
	"ipcx mq ls":                 {args: []string{"mq", "ls"}},
	"ipcx mq recv":               {setup: []string{"mq create /full-r", "mq send /full-r hello"}, args: []string{"mq", "recv", "/full-r"}},
	"ipcx mq stat":               {setup: []string{"mq create /full-st"}, args: []string{"mq", "stat", "/full-st"}},
	"ipcx pipe":                  {args: []string{"pipe", "--help"}},
	"ipcx pipe info":             {args: []string{"pipe", "info"}},
	"ipcx rm":                    {setup: []string{"mq create /full-rm2"}, args: []string{"rm", "--json", "/full-rm2"}},
	"ipcx sem":                   {args: []string{"sem", "--help"}},
	"ipcx sem create":            {args: []string{"sem", "create", "--json", "/full-sem"}},
	"ipcx sem get":               {setup: []string{"sem create /full-g"}, args: []string{"sem", "get", "/full-g"}},
	"ipcx sem ls":                {args: []string{"sem", "ls"}},
	"ipcx sem stat":              {setup: []string{"sem create /full-sst"}, args: []string{"sem", "stat", "/full-sst"}},
	"ipcx shm":                   {args: []string{"shm", "--help"}},
	"ipcx shm create":            {args: []string{"shm", "create", "--json", "--size", "16", "/full-shm"}},
	"ipcx shm ls":                {args: []string{"shm", "ls"}},
	"ipcx shm read":              {setup: []string{"shm create /full-rd --size 16"}, args: []string{"shm", "read", "/full-rd"}},
	"ipcx shm stat":              {setup: []string{"shm create /full-shst --size 16"}, args: []string{"shm", "stat", "/full-shst"}},
	"ipcx sig":                   {args: []string{"sig", "--help"}},
	"ipcx sig list":              {args: []string{"sig", "list"}},
	"ipcx sig status":            {args: []string{"sig", "status", "$PID"}},
	"ipcx sock":                  {args: []string{"sock", "--help"}},
	"ipcx sock ls":               {args: []string{"sock", "ls"}},
}

// printsNothing: commands whose success prints nothing on standard output (their errors go to
// stderr), or whose output is a child's.
var printsNothing = map[string]bool{
	"ipcx fifo rm": true, "ipcx fifo create": true, "ipcx mq rm": true, "ipcx completion": true, "ipcx fifo write": true, "ipcx ipcrm": true, "ipcx mq send": true,
	"ipcx sem op": true, "ipcx sem post": true, "ipcx sem rm": true, "ipcx sem set": true,
	"ipcx sem wait": true, "ipcx shm rm": true, "ipcx shm resize": true, "ipcx shm write": true,
	"ipcx sig send": true, "ipcx sock send": true,
	// the child's output: the child reports its own write errors
	"ipcx sem run": true,
}

// byScript: commands that print when a peer does something. stdout_full.txtar runs fifo read,
// mq notify, sig wait, sock connect and sock listen; sig trap shares sig wait's output path, and
// sig snoop needs tracefs.
var byScript = map[string]bool{
	"ipcx fifo read": true, "ipcx mq notify": true, "ipcx sig snoop": true, "ipcx sig trap": true,
	"ipcx sig wait": true, "ipcx sock connect": true, "ipcx sock listen": true,
}

// TestStdoutFull runs every command that prints with standard output on /dev/full: each exits 1
// with a sentence that names standard output, never a Go stack, never a usage error (2), and a
// create leaves nothing it could not report.
func TestStdoutFull(t *testing.T) {
	if !testns.InNamespace() {
		t.Skip("needs the private namespaces of internal/testns (root)")
	}
	ios, _, _, _ := iostreams.Test()
	walk(newRootCmd(ios), func(c *cobra.Command) {
		p := c.CommandPath()
		if c.Hidden || strings.HasPrefix(p, "ipcx help") {
			return
		}
		if _, ok := fullRuns[p]; !ok && !printsNothing[p] && !byScript[p] {
			t.Errorf("%s: not in fullRuns, printsNothing or byScript: say how it prints", p)
		}
	})
	dir := t.TempDir()
	expand := func(s string) string {
		return strings.NewReplacer("$D", dir, "$PID", itoa(os.Getpid())).Replace(s)
	}
	for path, r := range fullRuns {
		t.Run(strings.ReplaceAll(path, " ", "_"), func(t *testing.T) {
			for _, s := range r.setup {
				sios, _, _, serr := iostreams.Test()
				if code := run(strings.Fields(expand(s)), sios); code != 0 {
					t.Fatalf("setup %q: exit %d: %s", s, code, serr)
				}
			}
			full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer full.Close()
			// named as os.Stdout is, as ipcx's standard output
			stdout, err := iostreams.DupAs(full, iostreams.StdoutName)
			if err != nil {
				t.Fatal(err)
			}
			defer stdout.Close()
			var stderr bytes.Buffer
			args := make([]string, len(r.args))
			for i, a := range r.args {
				args[i] = expand(a)
			}
			code := run(args, &iostreams.IOStreams{In: strings.NewReader(""), Out: stdout, ErrOut: &stderr})
			msg := stderr.String()
			if code != 1 || !strings.Contains(msg, "output") || strings.Contains(msg, "goroutine") {
				t.Errorf("ipcx %s > /dev/full: exit %d, stderr %q; want exit 1 and a sentence naming standard output", strings.Join(args, " "), code, msg)
			}
		})
	}
	// What a create could not report is not left behind.
	for _, f := range []string{"/dev/mqueue/full-mq", "/dev/shm/sem.full-sem", "/dev/shm/full-shm", filepath.Join(dir, "f")} {
		if _, err := os.Lstat(f); err == nil {
			t.Errorf("%s: created, not reported, and left behind", f)
		}
	}
}

func itoa(n int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}
