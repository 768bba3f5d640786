//go:build linux

package ipc

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// OpsLimitError is the error of a semop(2) call with more operations than SEMOPM, the most one
// call takes (E2BIG; the third number in /proc/sys/kernel/sem). Max is -1 when it could not be
// read.
type OpsLimitError struct {
	N, Max int
}

func (e *OpsLimitError) Error() string {
	if e.Max < 0 {
		return fmt.Sprintf("%d operations are more than SEMOPM, the most one semop call takes", e.N)
	}
	return fmt.Sprintf("%d operations are more than SEMOPM (%d), the most one semop call takes", e.N, e.Max)
}

func (e *OpsLimitError) Unwrap() error { return unix.E2BIG }

// SemOPM returns SEMOPM, the most operations one semop(2) call takes in this IPC namespace: the
// third number of /proc/sys/kernel/sem.
func SemOPM() (int, error) {
	b, err := os.ReadFile("/proc/sys/kernel/sem")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return 0, fmt.Errorf("/proc/sys/kernel/sem: %q has no third number", b)
	}
	return strconv.Atoi(f[2])
}

// opsLimit turns semop's E2BIG for n operations into an *OpsLimitError.
func opsLimit(n int, err error) error {
	if !errors.Is(err, unix.E2BIG) {
		return err
	}
	max, rerr := SemOPM()
	if rerr != nil {
		max = -1
	}
	return &OpsLimitError{N: n, Max: max}
}
