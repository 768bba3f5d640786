//go:build linux

package sig

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Status is the signal state of a process, from /proc/PID/status.
type Status struct {
	Pid           int
	Name          string
	Queued        int // SigQ: signals queued for the process's real uid
	QueueLimit    int // SigQ: RLIMIT_SIGPENDING
	Pending       Set // SigPnd: pending for the thread
	SharedPending Set // ShdPnd: pending for the whole process
	Blocked       Set // SigBlk
	Ignored       Set // SigIgn
	Caught        Set // SigCgt: a handler is installed
}

// ReadStatus reads /proc/PID/status. A missing process gives an error wrapping os.ErrNotExist.
func ReadStatus(pid int) (Status, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Status{}, err
	}
	defer f.Close()
	st, err := ParseStatus(f)
	if err != nil {
		return Status{}, fmt.Errorf("/proc/%d/status: %w", pid, err)
	}
	return st, nil
}

// ParseStatus decodes the text of a /proc/PID/status file.
func ParseStatus(r io.Reader) (Status, error) {
	var st Status
	seen := 0
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		var set *Set
		switch k {
		case "Name":
			st.Name = v
			continue
		case "Pid":
			st.Pid, _ = strconv.Atoi(v)
			continue
		case "SigQ":
			q, l, _ := strings.Cut(v, "/")
			st.Queued, _ = strconv.Atoi(q)
			st.QueueLimit, _ = strconv.Atoi(l)
			continue
		case "SigPnd":
			set = &st.Pending
		case "ShdPnd":
			set = &st.SharedPending
		case "SigBlk":
			set = &st.Blocked
		case "SigIgn":
			set = &st.Ignored
		case "SigCgt":
			set = &st.Caught
		default:
			continue
		}
		n, err := strconv.ParseUint(v, 16, 64)
		if err != nil || len(v) != 16 {
			return Status{}, fmt.Errorf("%s: bad mask %q", k, v)
		}
		*set = Set(n)
		seen++
	}
	if err := sc.Err(); err != nil {
		return Status{}, err
	}
	if seen != 5 {
		return Status{}, fmt.Errorf("no SigPnd, ShdPnd, SigBlk, SigIgn and SigCgt lines")
	}
	return st, nil
}
