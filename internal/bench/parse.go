package bench

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ipcx/ipcx/internal/units"
)

// MaxSize is the largest message --size takes: 16 MiB, the largest POSIX queue message the
// kernel allows, and more than any socket carries in one datagram.
const MaxSize = 16 << 20

// ParseSizes parses --size: a comma-separated list of sizes as internal/units reads them (64,
// 4K, 64K, 1M), each from 1 byte to MaxSize, in the order given; a size given twice is measured
// once.
func ParseSizes(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("want one or more sizes such as 64 or 64,4K,64K")
	}
	var sizes []int
	seen := map[int]bool{}
	for _, f := range strings.Split(s, ",") {
		n, err := units.ParseSize(f)
		if err != nil {
			return nil, err
		}
		if n < 1 || n > MaxSize {
			return nil, fmt.Errorf("size %q: want 1 byte to 16M", strings.TrimSpace(f))
		}
		if !seen[int(n)] {
			seen[int(n)] = true
			sizes = append(sizes, int(n))
		}
	}
	return sizes, nil
}

// cpuSetBits is the number of CPUs sched_setaffinity's set names (CPU_SETSIZE).
const cpuSetBits = 1024

// ParseCPUs parses --cpus: one CPU number (both ends on that CPU) or two different ones
// separated by a comma (the measuring end, then the echoing end).
func ParseCPUs(s string) ([]int, error) {
	fields := strings.Split(s, ",")
	if len(fields) > 2 {
		return nil, fmt.Errorf("want one CPU (both ends on it) or two, such as 0,1")
	}
	var cpus []int
	for _, f := range fields {
		f = strings.TrimSpace(f)
		n, err := strconv.ParseUint(f, 10, 16)
		if err != nil || n >= uint64(cpuSetBits) {
			return nil, fmt.Errorf("CPU %q: want a CPU number from 0 to %d", f, cpuSetBits-1)
		}
		cpus = append(cpus, int(n))
	}
	if len(cpus) == 2 && cpus[0] == cpus[1] {
		return nil, fmt.Errorf("CPUs %d,%d: name the CPU once to put both ends on it", cpus[0], cpus[1])
	}
	return cpus, nil
}
