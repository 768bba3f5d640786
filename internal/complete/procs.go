//go:build linux

package complete

import (
	"os"
	"slices"
	"strconv"
	"strings"
)

// procDir is where processes are read.
const procDir = "/proc"

// Processes are the live processes whose pid starts with prefix, described by their command name
// (/proc/PID/comm), in pid order; the completing process itself is left out. With groups, a
// prefix that starts with - completes process groups instead, as -PGID (the groups' leaders'
// pids, described by the leader's command): what kill(2) and sig send take for a group.
func Processes(prefix string, groups bool) Result {
	var r Result
	group := groups && strings.HasPrefix(prefix, "-")
	digits := prefix
	if group {
		digits = prefix[1:]
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return r
		}
	}
	d, err := os.Open(procDir)
	if err != nil {
		return r
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	self := os.Getpid()
	var pids []int
	for _, n := range names {
		if !strings.HasPrefix(n, digits) {
			continue
		}
		pid, err := strconv.Atoi(n)
		if err != nil || pid == self {
			continue
		}
		pids = append(pids, pid)
	}
	slices.Sort(pids)
	for _, pid := range pids {
		p := strconv.Itoa(pid)
		if group {
			if pgid, ok := pgidOf(p); !ok || pgid != p {
				continue
			}
			p = "-" + p
		}
		comm, err := os.ReadFile(procDir + "/" + strconv.Itoa(pid) + "/comm")
		if err != nil {
			continue // gone meanwhile
		}
		r.Candidates = append(r.Candidates, Candidate{Value: p, Description: strings.TrimSuffix(string(comm), "\n")})
	}
	return r
}

// pgidOf reads the process group of pid from /proc/PID/stat: the fifth field, counted after the
// command, which is in parentheses and may hold spaces and parentheses itself.
func pgidOf(pid string) (string, bool) {
	b, err := os.ReadFile(procDir + "/" + pid + "/stat")
	if err != nil {
		return "", false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return "", false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 3 {
		return "", false
	}
	return f[2], true // state, ppid, pgrp
}
