package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// version, commit and date are stamped by scripts/install and scripts/package with
// -ldflags "-X main.version=… -X main.commit=… -X main.date=…": the version they give the
// packages, the commit it was built from and that commit's time. Unset, they come from the build
// information Go records in the binary (versionFrom).
var version, commit, date string

// versionString is what ipcx --version prints after "ipcx ": the version first, as one word
// (v0.2.0, a pseudo-version such as v0.0.0-20261202103000-1a2b3c4d5e6f, or (devel) when nothing
// tells it), then in parentheses the commit and its time when known and the Go release and
// platform it was built with. It reads only what is in the binary: it runs no git.
func versionString() string {
	bi, _ := debug.ReadBuildInfo()
	return versionFrom(bi, version, commit, date, runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH)
}

// versionFrom builds the version line from the stamped values (which win) and the build
// information bi (nil when the binary has none):
//   - a module version Go recorded (go install github.com/ipcx/ipcx/cmd/ipcx@v0.2.0 records
//     v0.2.0; go build in a git checkout records a pseudo-version, +dirty when the tree had
//     changes) is the version;
//   - a build that recorded "(devel)" but the VCS settings (vcs.revision, vcs.time, vcs.modified)
//     gets the pseudo-version Go would write for that commit, v0.0.0-YYYYMMDDHHMMSS-REV12, with
//     Go's "+dirty" when the tree had changes;
//   - a build with neither says (devel).
func versionFrom(bi *debug.BuildInfo, stampedVersion, stampedCommit, stampedDate, toolchain string) string {
	var rev, vcsTime, mainVersion string
	modified := false
	if bi != nil {
		mainVersion = bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				vcsTime = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	v := stampedVersion
	if v == "" && mainVersion != "" && mainVersion != "(devel)" {
		v = mainVersion
	}
	if v == "" && rev != "" {
		v = pseudoVersion(rev, vcsTime)
		if modified {
			v += "+dirty"
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if stampedCommit != "" {
		rev = stampedCommit
	}
	if stampedDate != "" {
		vcsTime = stampedDate
	}
	var details []string
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		details = append(details, "commit "+rev)
	}
	if vcsTime != "" {
		details = append(details, vcsTime)
	}
	details = append(details, toolchain)
	return v + " (" + strings.Join(details, ", ") + ")"
}

// pseudoVersion is Go's pseudo-version of a commit with no tag before it:
// v0.0.0-YYYYMMDDHHMMSS-REV12, the time in UTC (00000000000000 when unknown).
func pseudoVersion(rev, vcsTime string) string {
	stamp := "00000000000000"
	if t, err := time.Parse(time.RFC3339, vcsTime); err == nil {
		stamp = t.UTC().Format("20060102150405")
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	return "v0.0.0-" + stamp + "-" + rev
}

// versionWord is the version alone, the first word of versionString (what reports such as
// ipcx bench --json record).
func versionWord() string {
	v, _, _ := strings.Cut(versionString(), " ")
	return v
}
