// Package dist holds no code: its tests check what scripts/install, scripts/package and
// scripts/version make, with the real tools that read it. scripts/install into a temporary
// DESTDIR: every file where the conventions say, man pages that man -l renders, completions that
// bash (with bash-completion), zsh and fish load and answer from, the compat links' refusals and
// an uninstall that leaves the tree as it was. scripts/package: the .deb and .rpm for amd64 and
// arm64 (dpkg-deb, rpm, lintian), and the amd64 .deb installed with dpkg -i and purged again in a
// private mount namespace over overlays of /usr, /etc and /var, so that the machine is untouched.
// The version: a stamped build, a build from a git checkout (Go's own VCS stamping, which
// scripts/version must agree with) and `go install …@v0.2.0` from a module proxy made on disk.
package dist
