package compat

import (
	"strings"
	"testing"

	"github.com/ipcx/ipcx/internal/inventory"
)

// TestIpcrmParse checks util-linux's command-line forms, and that the dangerous ones are refused
// before anything is removed.
func TestIpcrmParse(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		actions string // kind/flavor/by/arg, space-separated
		all     string
		err     string
	}{
		{args: []string{"-q", "5", "-M0x10", "--semaphore-id=7"}, actions: "mq/sysv/id/5 shm/sysv/key/0x10 sem/sysv/id/7"},
		{args: []string{"-vq", "5"}, actions: "mq/sysv/id/5"},
		{args: []string{"--posix-mqueue", "jobs", "--posix-sh=/m"}, actions: "mq/posix/name/jobs shm/posix/name//m"},
		{args: []string{"shm", "1", "2"}, actions: "shm/sysv/id/1 shm/sysv/id/2"},
		{args: []string{"-a"}, all: "mq/sysv sysv/shm sem/sysv mq/posix shm/posix sem/posix"},
		{args: []string{"-a=pshm"}, all: "shm/posix"},
		{args: []string{"-apsem"}, all: "sem/posix"},
		{args: []string{"--all=msg"}, all: "mq/sysv"},
		{args: []string{"-a", "shm"}, err: "unknown argument: shm"},
		{args: []string{"--all", "shm"}, err: "unknown argument: shm"},
		{args: []string{"-a=foo"}, err: "unknown argument: =foo"},
		{args: []string{"-q", "5", "msg", "6"}, err: "unknown argument: msg"},
		{args: []string{"-q"}, err: "requires an argument"},
		{args: []string{"-q", "x"}, err: "failed to parse argument: 'x'"},
		{args: []string{"--posix-mqueue", "a/b"}, err: "invalid name"},
		{args: []string{"--s", "1"}, err: "option '--s' is ambiguous; possibilities: '--shmem-id' '--shmem-key' '--semaphore-id' '--semaphore-key'"},
		{args: []string{"--bogus=3"}, err: "unrecognized option '--bogus=3'"},
		{args: []string{"-q", "5", "--verbose=1"}, err: "option '--verbose' doesn't allow an argument"},
		{args: []string{"pipe", "1"}, err: "unknown resource type: pipe"},
		{args: nil, err: "bad usage"},
	} {
		opts := &ipcrmOptions{}
		err := parseIpcrm(opts, tc.args)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.err)
			}
			if len(opts.all) > 0 && err == nil {
				t.Errorf("%q: -a accepted", tc.args)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		var acts []string
		for _, a := range opts.actions {
			acts = append(acts, string(a.kind)+"/"+string(a.flavor)+"/"+a.by+"/"+a.arg)
		}
		if strings.Join(acts, " ") != tc.actions {
			t.Errorf("%q: actions %q, want %q", tc.args, strings.Join(acts, " "), tc.actions)
		}
		var all []string
		for _, a := range opts.all {
			all = append(all, string(a.kind)+"/"+string(a.flavor))
		}
		wantAll := strings.ReplaceAll(tc.all, "sysv/shm", "shm/sysv")
		if strings.Join(all, " ") != wantAll {
			t.Errorf("%q: all %q, want %q", tc.args, strings.Join(all, " "), wantAll)
		}
	}
}

// FuzzParseIpcrm feeds ipcrm arbitrary command lines: it must never panic, and whatever it accepts
// must name only valid kinds, flavors and POSIX names.
func FuzzParseIpcrm(f *testing.F) {
	for _, s := range []string{"-q 5", "-a=pshm", "-a shm", "--all", "shm 1 2", "-vM0x10", "--posix-shmem=/x", "-- -q 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		opts := &ipcrmOptions{}
		if err := parseIpcrm(opts, strings.Fields(line)); err != nil {
			return
		}
		for _, a := range append(opts.actions, opts.all...) {
			if a.kind != inventory.MQ && a.kind != inventory.Sem && a.kind != inventory.Shm {
				t.Fatalf("%q: kind %q", line, a.kind)
			}
			if a.by == "name" && (!strings.HasPrefix(a.name, "/") || strings.Contains(a.name[1:], "/")) {
				t.Fatalf("%q: name %q", line, a.name)
			}
		}
		for _, f := range strings.Fields(line) {
			if (f == "-a" || f == "--all") && len(opts.all) > 0 && strings.Contains(line, f+" shm") {
				t.Fatalf("%q: -a with a separate type accepted", line)
			}
		}
	})
}
