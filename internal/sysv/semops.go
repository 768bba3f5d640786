//go:build linux

package sysv

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseSemOp parses one semaphore operation as the command line writes it, INDEX:OP — "0:-1"
// (wait for one unit and take it), "1:+2" (add two), "2:0" (wait until zero) — into a Sembuf
// without flags. INDEX is 0..65535 and OP a signed number within -32768..32767 (a sembuf's short);
// a positive OP may carry its + sign.
func ParseSemOp(s string) (Sembuf, error) {
	idx, op, ok := strings.Cut(s, ":")
	if !ok {
		return Sembuf{}, fmt.Errorf("invalid operation %q: want INDEX:OP, like 0:-1, 1:+1 or 2:0", s)
	}
	n, err := strconv.ParseUint(idx, 10, 16)
	if err != nil {
		return Sembuf{}, fmt.Errorf("invalid operation %q: the index must be a number from 0 to 65535", s)
	}
	if op == "" || op[0] != '+' && op[0] != '-' && (op[0] < '0' || op[0] > '9') {
		return Sembuf{}, fmt.Errorf("invalid operation %q: the operation must be +N, -N or 0", s)
	}
	v, err := strconv.ParseInt(op, 10, 16)
	if err != nil || v < -SemVMX {
		// -32768 fits a short but could never be done: no semaphore holds more than SemVMX.
		return Sembuf{}, fmt.Errorf("invalid operation %q: the operation must be a number from -%d to %d (SEMVMX)", s, SemVMX, SemVMX)
	}
	return Sembuf{Num: uint16(n), Op: int16(v)}, nil
}
