package dist

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// repo is the repository's root, where the scripts run.
func repo(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// run runs a command and returns its standard output; a failure fails the test with its stderr.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	out, errOut, err := try(dir, env, name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// try runs a command and returns its output and error.
func try(dir string, env []string, name string, args ...string) (string, string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// need fails the test when a peer is missing (scripts/test installs them all).
func need(t *testing.T, cmds ...string) {
	t.Helper()
	for _, c := range cmds {
		if _, err := exec.LookPath(c); err != nil {
			t.Fatalf("%s is needed (scripts/test installs it): %v", c, err)
		}
	}
}

// version is scripts/version's output for the repository: VERSION COMMIT DATE.
func version(t *testing.T) (v, debv string) {
	t.Helper()
	f := strings.Fields(run(t, repo(t), nil, "scripts/version"))
	if len(f) != 3 {
		t.Fatalf("scripts/version printed %q, want three words", f)
	}
	return f[0], strings.TrimSpace(run(t, repo(t), nil, "scripts/version", "--deb"))
}

// listing describes every entry of a tree: its path, type, mode and content (or link target), so
// that two listings are equal when the trees are.
func listing(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			fmt.Fprintf(&b, "%s l %s\n", rel, target)
		case d.IsDir():
			fmt.Fprintf(&b, "%s d %o\n", rel, info.Mode().Perm())
		default:
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			fmt.Fprintf(&b, "%s f %o %x\n", rel, info.Mode().Perm(), sum[:8])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// manPages are the pages in man/ (ipcx.1, ipcx-mq-send.1, ...).
func manPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join(repo(t), "man", "*.1"))
	if err != nil || len(pages) < 10 {
		t.Fatalf("man pages: %v %v", pages, err)
	}
	for i, p := range pages {
		pages[i] = filepath.Base(p)
	}
	return pages
}

// checkManPage renders a compressed page with man -l and checks its NAME section names it, and
// that it was compressed as Debian does (gzip -9n: no file name, no time stamp).
func checkManPage(t *testing.T, file, page string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 10 || data[0] != 0x1f || data[1] != 0x8b {
		t.Fatalf("%s is not gzip", file)
	}
	if data[3]&0x08 != 0 || !bytes.Equal(data[4:8], []byte{0, 0, 0, 0}) || data[8] != 2 {
		t.Errorf("%s: gzip header %x: want no name, no mtime, maximum compression (gzip -9n)", file, data[:10])
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(zr); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	out, errOut, err := try("", []string{"MANWIDTH=200", "MAN_KEEP_FORMATTING=", "LC_ALL=C.UTF-8"}, "man", "-l", "-P", "cat", file)
	if err != nil || strings.TrimSpace(errOut) != "" {
		t.Fatalf("man -l %s: %v\n%s", file, err, errOut)
	}
	name := strings.TrimSuffix(page, ".1")
	if !regexp.MustCompile(`(?m)^NAME\n\s+` + regexp.QuoteMeta(name) + ` - \S`).MatchString(out) {
		t.Errorf("man -l %s: no NAME section naming %s:\n%.400s", file, name, out)
	}
}

// buildMu serialises the tests that build ipcx (two cores, several helpers).
var buildMu sync.Mutex

func TestInstall(t *testing.T) {
	need(t, "man", "gzip", "bash", "zsh", "fish", "sha256sum")
	if _, err := os.Stat("/usr/share/bash-completion/bash_completion"); err != nil {
		t.Fatalf("bash-completion is needed (scripts/test installs it): %v", err)
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	root := repo(t)
	want, _ := version(t)

	// A destdir that already holds things the install must leave alone: another man page in the
	// directory it installs into, a file elsewhere.
	dest := t.TempDir()
	pre := map[string]string{
		"usr/local/share/man/man1/other.1.gz": "not ipcx's",
		"etc/keep":                            "keep",
	}
	for p, content := range pre {
		if err := os.MkdirAll(filepath.Join(dest, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dest, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := listing(t, dest)
	run(t, root, nil, "scripts/install", "--destdir", dest)

	prefix := filepath.Join(dest, "usr/local")
	bin := filepath.Join(prefix, "bin/ipcx")
	if info, err := os.Stat(bin); err != nil || info.Mode().Perm() != 0o755 {
		t.Fatalf("bin/ipcx: %v %v", info, err)
	}
	checkStatic(t, bin, elf.EM_X86_64)
	if out := run(t, "", nil, bin, "--version"); !strings.HasPrefix(out, "ipcx "+want+" (") {
		t.Errorf("installed ipcx --version = %q, want ipcx %s (…)", out, want)
	}
	for _, page := range manPages(t) {
		checkManPage(t, filepath.Join(prefix, "share/man/man1", page+".gz"), page)
	}
	bashFile := filepath.Join(prefix, "share/bash-completion/completions/ipcx")
	zshFile := filepath.Join(prefix, "share/zsh/site-functions/_ipcx")
	fishFile := filepath.Join(prefix, "share/fish/vendor_completions.d/ipcx.fish")
	pathEnv := []string{"PATH=" + filepath.Join(prefix, "bin") + ":" + os.Getenv("PATH")}
	checkCompletions(t, pathEnv, bashFile, zshFile, fishFile, filepath.Join(prefix, "share"))
	for _, f := range []string{bashFile, zshFile, fishFile} {
		if info, err := os.Stat(f); err != nil || info.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v %v, want mode 644", f, info, err)
		}
	}
	// The manifest lists exactly the files installed, with their hashes.
	manifest := readManifest(t, filepath.Join(prefix, "share/ipcx/install-manifest"))
	wantFiles := []string{"/usr/local/bin/ipcx", "/usr/local/bin/ipcx-plot", "/usr/local/share/bash-completion/completions/ipcx",
		"/usr/local/share/fish/vendor_completions.d/ipcx.fish", "/usr/local/share/zsh/site-functions/_ipcx"}
	for _, page := range manPages(t) {
		wantFiles = append(wantFiles, "/usr/local/share/man/man1/"+page+".gz")
	}
	sort.Strings(wantFiles)
	if got := manifest.files(); strings.Join(got, "\n") != strings.Join(wantFiles, "\n") {
		t.Errorf("manifest files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantFiles, "\n"))
	}
	for _, d := range manifest.dirs {
		if d == "/usr/local/share/man/man1" || d == "/etc" {
			t.Errorf("manifest records %s as made by the install: it was there before", d)
		}
	}

	// Installing again replaces its own files without --force; the compat links can be added.
	run(t, root, nil, "scripts/install", "--destdir", dest, "--compat-links")
	for _, tool := range []string{"ipcs", "ipcrm", "ipcmk", "lsipc"} {
		link := filepath.Join(prefix, "bin", tool)
		if target, err := os.Readlink(link); err != nil || target != "ipcx" {
			t.Errorf("%s: %q %v, want a link to ipcx", link, target, err)
		}
		// Run through the link, ipcx is that util-linux tool.
		out := run(t, "", nil, link, "-V")
		if !strings.HasPrefix(out, tool+" from util-linux 2.41.5") {
			t.Errorf("%s -V = %q, want %s from util-linux 2.41.5", link, out, tool)
		}
	}

	// --uninstall leaves the tree as it was.
	run(t, root, nil, "scripts/install", "--destdir", dest, "--uninstall")
	if after := listing(t, dest); after != before {
		t.Errorf("after --uninstall the destdir differs:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// TestInstallRefuses checks that scripts/install writes nothing over a file it did not install
// unless --force is given, and that --uninstall leaves a file changed since the install.
func TestInstallRefuses(t *testing.T) {
	buildMu.Lock()
	defer buildMu.Unlock()
	root := repo(t)

	// util-linux's ipcs in the destdir's bin: the compat links are refused, nothing is written.
	dest := t.TempDir()
	ipcs := filepath.Join(dest, "usr/bin/ipcs")
	if err := os.MkdirAll(filepath.Dir(ipcs), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ipcs, []byte("util-linux"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := listing(t, dest)
	_, errOut, err := try(root, nil, "scripts/install", "--destdir", dest, "--prefix", "/usr", "--compat-links")
	if code := exitCode(err); code != 1 || !strings.Contains(errOut, "/usr/bin/ipcs exists and was not installed by scripts/install") || !strings.Contains(errOut, "--force") {
		t.Fatalf("--compat-links over an existing ipcs: exit %d, stderr:\n%s", code, errOut)
	}
	if after := listing(t, dest); after != before {
		t.Fatalf("a refused install changed the destdir:\n%s\nwant:\n%s", after, before)
	}
	// Without the links, the install goes ahead and leaves ipcs alone.
	run(t, root, nil, "scripts/install", "--destdir", dest, "--prefix", "/usr")
	if data, err := os.ReadFile(ipcs); err != nil || string(data) != "util-linux" {
		t.Fatalf("ipcs after an install without --compat-links: %q %v", data, err)
	}
	// Prefix /usr: Debian's paths (zsh's vendor-completions), the ones the packages hold.
	if got, want := readManifest(t, filepath.Join(dest, "usr/share/ipcx/install-manifest")).files(), usrFiles(t); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("prefix /usr installs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// With --force, ipcs becomes the link.
	run(t, root, nil, "scripts/install", "--destdir", dest, "--prefix", "/usr", "--compat-links", "--force")
	if target, err := os.Readlink(ipcs); err != nil || target != "ipcx" {
		t.Fatalf("--force: ipcs is %q %v, want a link to ipcx", target, err)
	}
	// A file changed since the install stays, and the uninstall says so.
	changed := filepath.Join(dest, "usr/share/bash-completion/completions/ipcx")
	if err := os.WriteFile(changed, []byte("# edited by the admin\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, err = try(root, nil, "scripts/install", "--destdir", dest, "--prefix", "/usr", "--uninstall")
	if err != nil || !strings.Contains(errOut, "/usr/share/bash-completion/completions/ipcx changed since it was installed: left in place") {
		t.Fatalf("--uninstall with a changed file: %v\n%s", err, errOut)
	}
	if _, err := os.Stat(changed); err != nil {
		t.Errorf("the changed file was removed: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dest, "usr/bin/ipcx")); !os.IsNotExist(err) {
		t.Errorf("usr/bin/ipcx after --uninstall: %v", err)
	}

	// A binary of that name the install did not put there is refused too.
	dest2 := t.TempDir()
	other := filepath.Join(dest2, "usr/local/bin/ipcx")
	if err := os.MkdirAll(filepath.Dir(other), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, []byte("another ipcx"), 0o755); err != nil {
		t.Fatal(err)
	}
	before = listing(t, dest2)
	_, errOut, err = try(root, nil, "scripts/install", "--destdir", dest2)
	if exitCode(err) != 1 || !strings.Contains(errOut, "/usr/local/bin/ipcx exists and was not installed") {
		t.Fatalf("install over another ipcx: %v\n%s", err, errOut)
	}
	if after := listing(t, dest2); after != before {
		t.Fatalf("a refused install changed the destdir:\n%s\nwant:\n%s", after, before)
	}

	// Without a destdir, links that would shadow util-linux's tools on PATH are refused: a prefix
	// of its own, nothing in it, but /usr/bin/ipcs further down PATH.
	need(t, "ipcs")
	prefix := filepath.Join(t.TempDir(), "opt")
	ipcsPath, _ := exec.LookPath("ipcs")
	_, errOut, err = try(root, nil, "scripts/install", "--prefix", prefix, "--compat-links")
	if exitCode(err) != 1 || !strings.Contains(errOut, prefix+"/bin/ipcs would shadow "+ipcsPath+" on PATH") {
		t.Fatalf("links shadowing util-linux: %v\n%s", err, errOut)
	}
	if _, err := os.Stat(prefix); !os.IsNotExist(err) {
		t.Errorf("a refused install made %s: %v", prefix, err)
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

type manifest struct {
	entries map[string]string // path -> kind
	dirs    []string
}

func (m manifest) files() []string {
	var fs []string
	for p, k := range m.entries {
		if k == "f" {
			fs = append(fs, p)
		}
	}
	sort.Strings(fs)
	return fs
}

func readManifest(t *testing.T, file string) manifest {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	m := manifest{entries: map[string]string{}}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("manifest line %q", line)
		}
		m.entries[f[2]] = f[0]
		if f[0] == "d" {
			m.dirs = append(m.dirs, f[2])
		}
	}
	return m
}

// checkCompletions loads each completion script in its shell, as that shell finds it, and asks it
// to complete "ipcx mq se": each must answer "send" (the ipcx on PATH answers through cobra's
// __complete), with nothing on stderr. share is the XDG data directory holding them.
func checkCompletions(t *testing.T, env []string, bashFile, zshFile, fishFile, share string) {
	t.Helper()
	home := t.TempDir()
	env = append(env, "HOME="+home, "XDG_CONFIG_HOME="+home+"/.config", "XDG_DATA_HOME="+home+"/.local/share")
	// bash, with Debian's bash-completion loaded first, as an interactive shell has it.
	bashScript := `source /usr/share/bash-completion/bash_completion
source "$1"
complete -p ipcx
COMP_LINE="ipcx mq se"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(ipcx mq se); COMP_CWORD=2
__start_ipcx ipcx se mq 2>/dev/null
printf 'reply:%s\n' "${COMPREPLY[@]}"`
	out, errOut, err := try("", env, "bash", "-c", bashScript, "bash", bashFile)
	if err != nil || errOut != "" || !strings.Contains(out, "-F __start_ipcx ipcx") || !strings.Contains(out, "reply:send\n") {
		t.Errorf("bash completion %s: %v\nstdout:\n%s\nstderr:\n%s", bashFile, err, out, errOut)
	}
	// zsh: sourced after compinit, and found by compinit on fpath as an installed _ipcx is.
	zdump := filepath.Join(home, "zcompdump")
	out, errOut, err = try("", env, "zsh", "-fc", `autoload -U compinit && compinit -u -d "$1" && source "$2" && print -r -- "comp:$_comps[ipcx]"`, "zsh", zdump, zshFile)
	if err != nil || errOut != "" || strings.TrimSpace(out) != "comp:_ipcx" {
		t.Errorf("zsh: source %s: %v\nstdout:\n%s\nstderr:\n%s", zshFile, err, out, errOut)
	}
	out, errOut, err = try("", env, "zsh", "-fc", `fpath=("$2" $fpath); autoload -U compinit && compinit -u -d "$1" && print -r -- "comp:$_comps[ipcx]" && autoload -Uz _ipcx && whence -w _ipcx`, "zsh", zdump+"2", filepath.Dir(zshFile))
	if err != nil || errOut != "" || !strings.Contains(out, "comp:_ipcx\n") || !strings.Contains(out, "_ipcx: function") {
		t.Errorf("zsh: compinit with %s on fpath: %v\nstdout:\n%s\nstderr:\n%s", filepath.Dir(zshFile), err, out, errOut)
	}
	// fish: sourced, and found in vendor_completions.d under XDG_DATA_DIRS.
	out, errOut, err = try("", env, "fish", "--no-config", "-c", `source $argv[1]; and complete -C "ipcx mq se"`, fishFile)
	if err != nil || errOut != "" || !strings.HasPrefix(out, "send\t") {
		t.Errorf("fish: source %s: %v\nstdout:\n%s\nstderr:\n%s", fishFile, err, out, errOut)
	}
	out, errOut, err = try("", append(env, "XDG_DATA_DIRS="+share), "fish", "-c", `complete -C "ipcx mq se"`)
	if err != nil || errOut != "" || !strings.HasPrefix(out, "send\t") {
		t.Errorf("fish: vendor_completions.d under %s: %v\nstdout:\n%s\nstderr:\n%s", share, err, out, errOut)
	}
}

// checkStatic checks that file is a static ELF executable for machine: no interpreter, no shared
// libraries (CGO_ENABLED=0), stripped.
func checkStatic(t *testing.T, file string, machine elf.Machine) {
	t.Helper()
	f, err := elf.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != machine {
		t.Errorf("%s: machine %v, want %v", file, f.Machine, machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s: has %v: not static", file, p.Type)
		}
	}
	if f.Section(".symtab") != nil {
		t.Errorf("%s: not stripped (has .symtab)", file)
	}
}

func sha256File(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// writeZip writes the module zip of the files listed (paths relative to dir) for module@version.
func writeZip(t *testing.T, zipFile, dir, prefix string, files []string) {
	t.Helper()
	f, err := os.Create(zipFile)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, name := range files {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(prefix + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
