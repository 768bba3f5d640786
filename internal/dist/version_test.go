package dist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sourceFiles are the repository's files a checkout has (tracked, or new and not ignored), as
// paths relative to the root.
func sourceFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, f := range strings.Split(strings.TrimSpace(run(t, repo(t), nil, "git", "ls-files", "--cached", "--others", "--exclude-standard")), "\n") {
		if info, err := os.Lstat(filepath.Join(repo(t), f)); err == nil && info.Mode().IsRegular() {
			files = append(files, f)
		}
	}
	return files
}

func copyFiles(t *testing.T, dst string, files []string) {
	t.Helper()
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(repo(t), f))
		if err != nil {
			t.Fatal(err)
		}
		info, _ := os.Stat(filepath.Join(repo(t), f))
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, f), data, info.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}

// versionOf runs ipcx --version and returns the version word, checking the rest of the line.
func versionOf(t *testing.T, bin string) string {
	t.Helper()
	out := strings.TrimSpace(run(t, "", nil, bin, "--version"))
	f := strings.SplitN(out, " ", 3)
	if len(f) != 3 || f[0] != "ipcx" || !strings.HasPrefix(f[2], "(") || !strings.Contains(f[2], "go1.") || !strings.HasSuffix(f[2], ")") {
		t.Fatalf("%s --version = %q, want ipcx VERSION (…, goX.Y.Z OS/ARCH)", bin, out)
	}
	return f[1]
}

// TestVersionBuilds builds ipcx the ways people do and checks what --version says:
//   - with the -X stamps scripts/install uses, and with none in a tree without VCS information;
//   - from a git checkout, where Go itself records the version (a pseudo-version, the tag,
//     +dirty), and scripts/version, which stamps the installs and names the packages, must
//     say the same at each step: no tag, tagged v0.2.0, a commit past the tag, a changed tree;
//   - with go install github.com/ipcx/ipcx/cmd/ipcx@v0.2.0, from a module proxy made in a
//     temporary directory (the module's zip at v0.2.0, the dependencies from the local module
//     cache, itself a proxy tree), so it runs offline and leaves the real module cache alone.
func TestVersionBuilds(t *testing.T) {
	need(t, "git", "go")
	buildMu.Lock()
	defer buildMu.Unlock()
	root := repo(t)
	bin := filepath.Join(t.TempDir(), "ipcx")

	run(t, root, []string{"CGO_ENABLED=0"}, "go", "build", "-trimpath", "-buildvcs=false",
		"-ldflags", "-X main.version=v9.8.7 -X main.commit=0123456789abcdef -X main.date=2026-12-02T10:30:00Z", "-o", bin, "./cmd/ipcx")
	if out := strings.TrimSpace(run(t, "", nil, bin, "--version")); !strings.HasPrefix(out, "ipcx v9.8.7 (commit 0123456789ab, 2026-12-02T10:30:00Z, go1.") {
		t.Errorf("stamped build: --version = %q", out)
	}
	run(t, root, []string{"CGO_ENABLED=0"}, "go", "build", "-trimpath", "-buildvcs=false", "-o", bin, "./cmd/ipcx")
	if v := versionOf(t, bin); v != "(devel)" {
		t.Errorf("unstamped build without VCS information: version %q, want (devel)", v)
	}

	t.Run("checkout", func(t *testing.T) {
		dir := t.TempDir()
		copyFiles(t, dir, sourceFiles(t))
		git := func(args ...string) string {
			return run(t, dir, []string{"GIT_AUTHOR_DATE=2026-12-02T10:30:00Z", "GIT_COMMITTER_DATE=2026-12-02T10:30:00Z", "GIT_CONFIG_GLOBAL=/dev/null"},
				"git", append([]string{"-c", "user.name=ipcx test", "-c", "user.email=test@ipcx.invalid", "-c", "init.defaultBranch=main"}, args...)...)
		}
		git("init", "-q")
		git("add", "-A")
		git("commit", "-q", "-m", "snapshot")
		step := func(name, wantPrefix string) {
			t.Helper()
			run(t, dir, []string{"CGO_ENABLED=0"}, "go", "build", "-trimpath", "-buildvcs=true", "-o", bin, "./cmd/ipcx")
			got := versionOf(t, bin)
			script := strings.Fields(run(t, dir, nil, "scripts/version"))[0]
			if got != script || !strings.HasPrefix(got, wantPrefix) {
				t.Errorf("%s: go build records %q, scripts/version says %q, want both %s…", name, got, script, wantPrefix)
			}
			if rev := strings.TrimSpace(git("rev-parse", "--short=12", "HEAD")); !strings.Contains(run(t, "", nil, bin, "--version"), "(commit "+rev+", ") {
				t.Errorf("%s: --version does not name commit %s", name, rev)
			}
		}
		rev := strings.TrimSpace(git("rev-parse", "--short=12", "HEAD"))
		step("no tag", "v0.0.0-20261202103000-"+rev)
		git("tag", "v0.2.0")
		step("tagged", "v0.2.0")
		if err := os.WriteFile(filepath.Join(dir, "NEWS"), []byte("next\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		step("untracked file", "v0.2.0+dirty")
		git("add", "NEWS")
		git("commit", "-q", "-m", "next")
		rev = strings.TrimSpace(git("rev-parse", "--short=12", "HEAD"))
		step("past the tag", "v0.2.1-0.20261202103000-"+rev)
		if err := os.WriteFile(filepath.Join(dir, "NEWS"), []byte("changed\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		step("changed", "v0.2.1-0.20261202103000-"+rev+"+dirty")
		// The deb spelling: a pre-release of 0.2.1, after 0.2.0.
		if deb := strings.TrimSpace(run(t, dir, nil, "scripts/version", "--deb")); deb != "0.2.1~0.20261202103000."+rev+"+dirty" {
			t.Errorf("scripts/version --deb = %q", deb)
		}
	})

	t.Run("go install @v0.2.0", func(t *testing.T) {
		tmp := t.TempDir()
		proxy := filepath.Join(tmp, "proxy")
		at := filepath.Join(proxy, "github.com/ipcx/ipcx/@v")
		if err := os.MkdirAll(at, 0o755); err != nil {
			t.Fatal(err)
		}
		gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range map[string]string{
			"list":        "v0.2.0\n",
			"v0.2.0.info": `{"Version":"v0.2.0","Time":"2026-12-02T10:30:00Z"}`,
			"v0.2.0.mod":  string(gomod),
		} {
			if err := os.WriteFile(filepath.Join(at, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		writeZip(t, filepath.Join(at, "v0.2.0.zip"), root, "github.com/ipcx/ipcx@v0.2.0/", sourceFiles(t))
		cache := strings.TrimSpace(run(t, root, nil, "go", "env", "GOMODCACHE"))
		gobin := filepath.Join(tmp, "bin")
		env := []string{
			"GOPROXY=file://" + proxy + ",file://" + filepath.Join(cache, "cache/download"),
			"GOMODCACHE=" + filepath.Join(tmp, "modcache"), "GOFLAGS=-modcacherw", "GOSUMDB=off",
			"GOBIN=" + gobin, "CGO_ENABLED=0", "GOTOOLCHAIN=local",
		}
		run(t, tmp, env, "go", "install", "-trimpath", "github.com/ipcx/ipcx/cmd/ipcx@v0.2.0")
		if out := strings.TrimSpace(run(t, "", nil, filepath.Join(gobin, "ipcx"), "--version")); !strings.HasPrefix(out, "ipcx v0.2.0 (go1.") {
			t.Errorf("go install …@v0.2.0: --version = %q, want ipcx v0.2.0 (goX.Y.Z …)", out)
		}
	})
}
