package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionFrom checks the version line for each kind of build on a fabricated
// debug.BuildInfo. The real builds (stamped, from a checkout, go install …@v0.2.0) are built and
// run by internal/dist's TestVersionBuilds.
func TestVersionFrom(t *testing.T) {
	const tc = "go1.26.8 linux/amd64"
	vcs := func(rev, time, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: time}, {Key: "vcs.modified", Value: modified}}
	}
	rev := "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d"
	for _, c := range []struct {
		name                  string
		bi                    *debug.BuildInfo
		version, commit, date string
		want                  string
	}{
		{"go install @v0.2.0", &debug.BuildInfo{Main: debug.Module{Path: "github.com/ipcx/ipcx", Version: "v0.2.0"}}, "", "", "",
			"v0.2.0 (go1.26.8 linux/amd64)"},
		{"go build in a checkout", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261202103000-1a2b3c4d5e6f+dirty"}, Settings: vcs(rev, "2026-12-02T10:30:00Z", "true")}, "", "", "",
			"v0.0.0-20261202103000-1a2b3c4d5e6f+dirty (commit 1a2b3c4d5e6f, 2026-12-02T10:30:00Z, go1.26.8 linux/amd64)"},
		{"(devel) with VCS settings", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2026-12-02T12:30:00+02:00", "false")}, "", "", "",
			"v0.0.0-20261202103000-1a2b3c4d5e6f (commit 1a2b3c4d5e6f, 2026-12-02T12:30:00+02:00, go1.26.8 linux/amd64)"},
		{"(devel) modified", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2026-12-02T10:30:00Z", "true")}, "", "", "",
			"v0.0.0-20261202103000-1a2b3c4d5e6f+dirty (commit 1a2b3c4d5e6f, 2026-12-02T10:30:00Z, go1.26.8 linux/amd64)"},
		{"(devel), nothing known", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "", "", "",
			"(devel) (go1.26.8 linux/amd64)"},
		{"no build info", nil, "", "", "", "(devel) (go1.26.8 linux/amd64)"},
		{"stamped by scripts/install", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "v0.2.1-0.20261202103000-1a2b3c4d5e6f", rev, "2026-12-02T10:30:00Z",
			"v0.2.1-0.20261202103000-1a2b3c4d5e6f (commit 1a2b3c4d5e6f, 2026-12-02T10:30:00Z, go1.26.8 linux/amd64)"},
		{"stamped wins over the build info", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261202103000-1a2b3c4d5e6f"}, Settings: vcs(rev, "2026-12-02T10:30:00Z", "false")}, "v0.2.0", "", "",
			"v0.2.0 (commit 1a2b3c4d5e6f, 2026-12-02T10:30:00Z, go1.26.8 linux/amd64)"},
	} {
		if got := versionFrom(c.bi, c.version, c.commit, c.date, tc); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	// The binary under test: its version is one word, then the toolchain in parentheses.
	if v := versionString(); !strings.Contains(v, " (") || !strings.HasSuffix(v, ")") || strings.Contains(strings.SplitN(v, " ", 2)[0], "(go") {
		t.Errorf("versionString() = %q", v)
	}
}
