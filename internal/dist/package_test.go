package dist

import (
	"debug/elf"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestPackage builds the release artifacts with scripts/package and checks them with the tools
// of the distributions: dpkg-deb and lintian on the .deb, rpm on the .rpm, sha256sum on the sums,
// then installs the amd64 .deb with dpkg -i, uses it, and purges it (dpkgRoundTrip).
func TestPackage(t *testing.T) {
	need(t, "dpkg-deb", "dpkg", "lintian", "rpm", "sha256sum", "unshare")
	buildMu.Lock()
	defer buildMu.Unlock()
	root := repo(t)
	v, debv := version(t)
	out := t.TempDir()
	run(t, root, nil, "scripts/package", "--out", out)

	debs := map[string]string{"amd64": "ipcx_" + debv + "_amd64.deb", "arm64": "ipcx_" + debv + "_arm64.deb"}
	rpms := map[string]string{"amd64": "ipcx-" + debv + "-1.x86_64.rpm", "arm64": "ipcx-" + debv + "-1.aarch64.rpm"}
	bins := map[string]string{"amd64": "ipcx_" + v + "_linux_amd64", "arm64": "ipcx_" + v + "_linux_arm64"}
	machines := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}

	// SHA256SUMS covers exactly the eight artifacts, and they match.
	var want []string
	for _, arch := range []string{"amd64", "arm64"} {
		want = append(want, debs[arch], rpms[arch], bins[arch], "ipcx-plot_"+v+"_linux_"+arch)
	}
	sort.Strings(want)
	sums := run(t, out, nil, "sha256sum", "-c", "SHA256SUMS")
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(sums), "\n") {
		name, status, _ := strings.Cut(line, ": ")
		if status != "OK" {
			t.Errorf("sha256sum -c: %s", line)
		}
		got = append(got, name)
	}
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("SHA256SUMS lists %v, want %v", got, want)
	}

	// The files scripts/install --prefix /usr installs (TestInstallRefuses checks its manifest
	// lists them), which every package holds, plus the doc files.
	wantFiles := append(usrFiles(t), "/usr/share/doc/ipcx/changelog.gz", "/usr/share/doc/ipcx/copyright")
	sort.Strings(wantFiles)

	for _, arch := range []string{"amd64", "arm64"} {
		bin := filepath.Join(out, bins[arch])
		checkStatic(t, bin, machines[arch])
		deb := filepath.Join(out, debs[arch])
		info := run(t, "", nil, "dpkg-deb", "-f", deb, "Package", "Version", "Architecture")
		if wantInfo := "Package: ipcx\nVersion: " + debv + "\nArchitecture: " + arch + "\n"; info != wantInfo {
			t.Errorf("dpkg-deb -f %s:\n%s\nwant:\n%s", deb, info, wantInfo)
		}
		run(t, "", nil, "dpkg-deb", "-I", deb)
		var debFiles []string
		for _, line := range strings.Split(strings.TrimSpace(run(t, "", nil, "dpkg-deb", "-c", deb)), "\n") {
			f := strings.Fields(line)
			if len(f) >= 6 && !strings.HasPrefix(f[0], "d") {
				debFiles = append(debFiles, strings.TrimPrefix(f[5], "."))
			}
			if len(f) >= 2 && f[1] != "root/root" {
				t.Errorf("%s: %s is not owned by root", deb, line)
			}
		}
		wantDeb := append(append([]string(nil), wantFiles...), "/usr/share/lintian/overrides/ipcx")
		sort.Strings(wantDeb)
		if strings.Join(debFiles, "\n") != strings.Join(wantDeb, "\n") {
			t.Errorf("dpkg-deb -c %s:\n%s\nwant:\n%s", deb, strings.Join(debFiles, "\n"), strings.Join(wantDeb, "\n"))
		}
		// The binary in the package is the one beside it, whose sum SHA256SUMS gives.
		x := t.TempDir()
		run(t, "", nil, "dpkg-deb", "-x", deb, x)
		if a, b := sha256File(t, filepath.Join(x, "usr/bin/ipcx")), sha256File(t, bin); a != b {
			t.Errorf("%s: usr/bin/ipcx differs from %s", deb, bins[arch])
		}
		// lintian: no error and no warning (its override of statically-linked-binary aside).
		lint, lintErr, err := try("", nil, "lintian", "--tag-display-limit", "0", deb)
		if err != nil || strings.TrimSpace(lint) != "" {
			t.Errorf("lintian %s: %v\n%s%s", deb, err, lint, lintErr)
		}
		// rpm reads the .rpm: its version and files.
		rpm := filepath.Join(out, rpms[arch])
		if q := run(t, "", nil, "rpm", "-qp", "--qf", "%{NAME} %{VERSION} %{RELEASE} %{ARCH}\n", rpm); q != "ipcx "+debv+" 1 "+map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[arch]+"\n" {
			t.Errorf("rpm -qp %s: %q", rpm, q)
		}
		if l := strings.Split(strings.TrimSpace(run(t, "", nil, "rpm", "-qpl", rpm)), "\n"); strings.Join(l, "\n") != strings.Join(wantFiles, "\n") {
			t.Errorf("rpm -qpl %s:\n%s\nwant:\n%s", rpm, strings.Join(l, "\n"), strings.Join(wantFiles, "\n"))
		}
	}
	dpkgRoundTrip(t, filepath.Join(out, debs["amd64"]), v, debv)
}

// dpkgRoundTrip installs deb with dpkg -i, checks ipcx --version, man ipcx and each shell's
// completion as a user of the machine would meet them, then purges it. dpkg runs in a private
// mount namespace (unshare -m) where /usr, /etc and /var are overlays whose upper layers are a
// tmpfs: dpkg's database, the files and man-db's triggers all change the overlays only, so the
// machine is the same afterwards whatever happens, and an ipcx package already installed on the
// host would not be touched either. The test checks the host's dpkg status file is unchanged.
func dpkgRoundTrip(t *testing.T, deb, v, debv string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("dpkg -i in a private mount namespace needs root (the tests run as root: DEVELOPERS.md)")
	}
	status := sha256File(t, "/var/lib/dpkg/status")
	script := `set -eu
mount --make-rprivate /
t=$(mktemp -d)
mount -t tmpfs tmpfs "$t"
for d in usr etc var; do
  mkdir "$t/$d-upper" "$t/$d-work"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$t/$d-upper,workdir=$t/$d-work" "/$d"
done
export HOME=$t/home XDG_CONFIG_HOME=$t/home/.config XDG_DATA_HOME=$t/home/.local/share
mkdir -p "$HOME"
dpkg --purge ipcx >/dev/null 2>&1 || true
dpkg -i "$1" >/dev/null
echo "status: $(dpkg-query -W -f '${Status} ${Version}' ipcx)"
echo "version: $(ipcx --version)"
echo "man: $(MANWIDTH=200 man -P cat ipcx 2>&1 | grep -A1 '^NAME' | tail -1 | sed 's/^ *//')"
echo "bash: $(bash -c 'source /usr/share/bash-completion/bash_completion
  __load_completion ipcx
  COMP_LINE="ipcx mq se"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(ipcx mq se); COMP_CWORD=2
  __start_ipcx ipcx se mq 2>/dev/null; echo "${COMPREPLY[*]}"')"
echo "zsh: $(zsh -fc 'autoload -U compinit && compinit -u -d "$HOME/zcd" && print -r -- $_comps[ipcx]')"
echo "fish: $(fish -c 'complete -C "ipcx mq se"' | cut -f1)"
dpkg --purge ipcx >/dev/null
echo "purged: $(dpkg-query -W ipcx 2>&1 | head -1) $(ls /usr/bin/ipcx 2>&1)"
`
	out := run(t, "", nil, "unshare", "-m", "bash", "-c", script, "bash", deb)
	want := []string{
		"status: install ok installed " + debv,
		"version: ipcx " + v + " (",
		"man: ipcx - Create, inspect, send to, receive from and remove Linux IPC objects",
		"bash: send",
		"zsh: _ipcx",
		"fish: send",
		"purged: dpkg-query: no packages found matching ipcx ls: cannot access '/usr/bin/ipcx': No such file or directory",
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(want) {
		t.Fatalf("dpkg round trip:\n%s", out)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("dpkg round trip: %q, want %q…", lines[i], w)
		}
	}
	if sha256File(t, "/var/lib/dpkg/status") != status {
		t.Errorf("the host's /var/lib/dpkg/status changed")
	}
	if _, err := os.Lstat("/usr/bin/ipcx"); err == nil {
		t.Logf("note: /usr/bin/ipcx exists on the host (it did before the test too: the overlays kept it untouched)")
	}
}

// usrFiles are the files scripts/install --prefix /usr installs, sorted.
func usrFiles(t *testing.T) []string {
	files := []string{"/usr/bin/ipcx", "/usr/bin/ipcx-plot", "/usr/share/bash-completion/completions/ipcx",
		"/usr/share/fish/vendor_completions.d/ipcx.fish", "/usr/share/zsh/vendor-completions/_ipcx"}
	for _, page := range manPages(t) {
		files = append(files, "/usr/share/man/man1/"+page+".gz")
	}
	sort.Strings(files)
	return files
}
