//go:build linux

package sysv

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Key is a System V IPC key as msgget(2), semget(2) and shmget(2) take it.
type Key int32

// Private is IPC_PRIVATE: a key that always creates a new object.
const Private Key = 0

// String formats k the way ipcs(1) does: 0x followed by eight hex digits.
func (k Key) String() string { return fmt.Sprintf("0x%08x", uint32(k)) }

// MarshalJSON writes a key as its hex string, "0x00001a2b": a key is a name people know in hex.
func (k Key) MarshalJSON() ([]byte, error) { return []byte(`"` + k.String() + `"`), nil }

// UnmarshalJSON reads a key written by MarshalJSON, or a plain number.
func (k *Key) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil || n < math.MinInt32 || n > math.MaxUint32 {
		return fmt.Errorf("invalid System V key %s", b)
	}
	*k = Key(int32(uint32(n)))
	return nil
}

// ID is the identifier of a System V object, as the *get calls return it.
type ID int

// Flags shared by the *get calls and by the operations.
const (
	Create    = unix.IPC_CREAT
	Exclusive = unix.IPC_EXCL
	NoWait    = unix.IPC_NOWAIT
)

// Commands the *ctl calls share, and the ones x/sys/unix does not define.
const (
	ipcRmid = unix.IPC_RMID
	ipcSet  = unix.IPC_SET
	ipcStat = unix.IPC_STAT
	ipcInfo = 3
)

// Perm is struct ipc64_perm as the kernel lays it out on 64-bit architectures.
type Perm struct {
	Key  Key
	UID  uint32
	GID  uint32
	CUID uint32
	CGID uint32
	Mode uint16
	_    uint16
	Seq  uint16
	_    uint16
	_    uint64
	_    uint64
}

// Ftok computes the key ftok(3) from glibc gives for path and proj: the low 16 bits of the inode,
// the low 8 bits of the device and the low 8 bits of proj. Like ftok, it follows symlinks (stat).
func Ftok(path string, proj int) (Key, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, fmt.Errorf("stat %s: %w", path, err)
	}
	k := uint32(st.Ino&0xffff) | uint32(st.Dev&0xff)<<16 | uint32(proj&0xff)<<24
	return Key(int32(k)), nil
}
