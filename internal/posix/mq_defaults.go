//go:build linux

package posix

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// MqDefaults returns the attributes the kernel gives a POSIX queue created without any:
// /proc/sys/fs/mqueue/msg_default and msgsize_default of the caller's IPC namespace. A queue
// created with one attribute needs the other (mq_open(3) takes both or neither); this is the one
// the user left out. See mq_overview(7).
func MqDefaults() (maxMsg, msgSize int64, err error) {
	read := func(name string) (int64, error) {
		b, err := os.ReadFile("/proc/sys/fs/mqueue/" + name)
		if err != nil {
			return 0, fmt.Errorf("read /proc/sys/fs/mqueue/%s: %w", name, err)
		}
		n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/sys/fs/mqueue/%s: %w", name, err)
		}
		return n, nil
	}
	if maxMsg, err = read("msg_default"); err != nil {
		return 0, 0, err
	}
	if msgSize, err = read("msgsize_default"); err != nil {
		return 0, 0, err
	}
	return maxMsg, msgSize, nil
}
