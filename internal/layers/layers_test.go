package layers

import (
	"bytes"
	"encoding/json"
	"go/build/constraint"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// rule is one import rule: files under dir (a path relative to the module root, ending in "/")
// must not import any of the packages in banned, or packages below them, unless exempt says so.
type rule struct {
	dir    string
	banned []string
	exempt func(file, imp string) bool
	why    string
}

var rules = []rule{
	{
		dir:    "internal/",
		banned: []string{"github.com/spf13/cobra", "github.com/spf13/pflag", "github.com/olekukonko/tablewriter"},
		exempt: func(file, imp string) bool {
			return strings.HasPrefix(file, "internal/render/") && under(imp, "github.com/olekukonko/tablewriter")
		},
		why: "domain packages never import cobra, pflag or tablewriter (only internal/render may import tablewriter)",
	},
	{
		dir:    "cmd/",
		banned: []string{"golang.org/x/sys/unix", "syscall"},
		why:    "commands are glue: system calls, errno checks and open flags belong in internal/",
	},
}

// cmdUnixFiles are the files of cmd/ that still imported golang.org/x/sys/unix or syscall at
// e7776d0, when the rule was written: to be emptied by issue 11. Remove a file from the list when
// it no longer imports them (the test fails until then); never add one.
var cmdUnixFiles = []string{}

func TestImportRules(t *testing.T) {
	root, files := moduleFiles(t)
	allowed := map[string]bool{}
	for _, f := range cmdUnixFiles {
		allowed[f] = true
	}
	breaking := map[string]bool{}
	for _, file := range files {
		imps := imports(t, filepath.Join(root, file))
		for _, r := range rules {
			if !strings.HasPrefix(file, r.dir) {
				continue
			}
			for _, imp := range imps {
				for _, b := range r.banned {
					if !under(imp, b) || (r.exempt != nil && r.exempt(file, imp)) {
						continue
					}
					if r.dir == "cmd/" && allowed[file] {
						breaking[file] = true
						continue
					}
					t.Errorf("%s imports %s: %s", file, imp, r.why)
				}
			}
		}
	}
	for _, f := range cmdUnixFiles {
		if !breaking[f] {
			t.Errorf("%s no longer imports golang.org/x/sys/unix or syscall (or is gone): remove it from cmdUnixFiles", f)
		}
	}
}

// TestLinuxOnly checks that every file of internal/ (tests aside) that imports golang.org/x/sys/unix
// builds for Linux alone: a _linux.go name (or _linux_ARCH.go) or a //go:build line that needs
// linux. unix holds other systems' numbers and layouts under the same names: on another system
// such a file would build and be wrong.
func TestLinuxOnly(t *testing.T) {
	root, files := moduleFiles(t)
	pending := map[string]bool{}
	for _, f := range linuxPending {
		pending[f] = true
	}
	for _, file := range files {
		if !strings.HasPrefix(file, "internal/") || strings.HasSuffix(file, "_test.go") {
			continue
		}
		uses := false
		for _, imp := range imports(t, filepath.Join(root, file)) {
			uses = uses || under(imp, "golang.org/x/sys/unix")
		}
		if !uses || linuxName(file) {
			continue
		}
		if !linuxConstraint(t, filepath.Join(root, file)) && !pending[file] {
			t.Errorf("%s imports golang.org/x/sys/unix but builds on other systems too: add //go:build linux (or name it *_linux.go)", file)
		}
		if pending[file] && linuxConstraint(t, filepath.Join(root, file)) {
			t.Errorf("%s is Linux-only now: remove it from linuxPending", file)
		}
	}
}

// linuxPending are the files the rule found when it was written that other changes owned at the
// time: to get their //go:build linux there. Remove a file from the list when it has it; never add
// one.
var linuxPending = []string{}

// linuxName reports whether a file's name limits it to Linux: name_linux.go or name_linux_ARCH.go.
func linuxName(file string) bool {
	base := strings.TrimSuffix(filepath.Base(file), ".go")
	parts := strings.Split(base, "_")
	n := len(parts)
	return n >= 2 && (parts[n-1] == "linux" || (n >= 3 && parts[n-2] == "linux"))
}

// linuxConstraint reports whether the file's //go:build line excludes every system but Linux:
// false with linux unset, whatever the other tags.
func linuxConstraint(t *testing.T, path string) bool {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(src), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "package ") {
			break
		}
		if !constraint.IsGoBuild(line) {
			continue
		}
		expr, err := constraint.Parse(line)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, others := range []bool{false, true} {
			if expr.Eval(func(tag string) bool { return tag != "linux" && others }) {
				return false
			}
		}
		return true
	}
	return false
}

// under reports whether package path is pkg or a package below it.
func under(path, pkg string) bool { return path == pkg || strings.HasPrefix(path, pkg+"/") }

// moduleFiles lists every Go file of the module's packages, test files and files other build
// constraints exclude included, as paths relative to the module root.
func moduleFiles(t *testing.T) (string, []string) {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	cmd := exec.Command("go", "list", "-e", "-json=Dir,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,IgnoredGoFiles", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var files []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			Dir                                                          string
			GoFiles, CgoFiles, TestGoFiles, XTestGoFiles, IgnoredGoFiles []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel, err := filepath.Rel(root, p.Dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, list := range [][]string{p.GoFiles, p.CgoFiles, p.TestGoFiles, p.XTestGoFiles, p.IgnoredGoFiles} {
			for _, f := range list {
				files = append(files, filepath.ToSlash(filepath.Join(rel, f)))
			}
		}
	}
	if len(files) == 0 {
		t.Fatal("go list found no Go files")
	}
	sort.Strings(files)
	return root, files
}

// imports returns the import paths of one Go file.
func imports(t *testing.T, path string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var imps []string
	for _, s := range f.Imports {
		p, err := strconv.Unquote(s.Path.Value)
		if err != nil {
			t.Fatal(err)
		}
		imps = append(imps, p)
	}
	return imps
}

func TestLinuxName(t *testing.T) {
	for name, want := range map[string]bool{
		"internal/sysv/sem_linux_amd64.go": true, "internal/sig/siginfo_linux.go": true,
		"internal/sysv/sem.go": false, "internal/x/linux.go": false, "internal/x/linux_amd64.go": false,
	} {
		if got := linuxName(name); got != want {
			t.Errorf("linuxName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestToolLinksNoCrypto checks that the ipcx binary links no crypto package. Go initialises every
// linked package at every start: crypto/rand brought a dozen FIPS packages' initialisation and a
// 32 MB table (crypto/internal/fips140/drbg) into each command. Nothing here needs secrecy:
// random names and keys come from math/rand/v2, which the runtime seeds for every process.
func TestToolLinksNoCrypto(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/ipcx/ipcx/cmd/ipcx").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list -deps listed %d packages: %q", len(deps), deps)
	}
	for _, p := range deps {
		if under(p, "crypto") {
			t.Errorf("cmd/ipcx links %s: every command would pay its initialisation (use math/rand/v2)", p)
		}
	}
}
