//go:build linux

package sysv

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Shared memory flags x/sys/unix does not define.
const (
	// ShmDest is SHM_DEST in the mode of a segment marked for removal that is still attached.
	ShmDest = 0o1000
	// ShmLocked is SHM_LOCKED in the mode of a segment locked in memory (SHM_LOCK).
	ShmLocked = 0o2000

	shmStat    = 13
	shmStatAny = 15
)

// ShmGet returns the id of the segment with key, creating it with size bytes when flags hold
// Create. The low 9 bits of flags are the mode. See shmget(2).
func ShmGet(key Key, size int, flags int) (ID, error) {
	id, err := unix.SysvShmGet(int(key), size, flags)
	if err != nil {
		return -1, fmt.Errorf("shmget(%v, %d): %w", key, size, err)
	}
	return ID(id), nil
}

// ShmAttach maps segment id into memory, read-only when readOnly is set, and returns the whole
// segment; release it with ShmDetach. See shmat(2).
func ShmAttach(id ID, readOnly bool) ([]byte, error) {
	flag := 0
	if readOnly {
		flag = unix.SHM_RDONLY
	}
	b, err := unix.SysvShmAttach(int(id), 0, flag)
	if err != nil {
		return nil, fmt.Errorf("shmat(%d): %w", id, err)
	}
	return b, nil
}

// ShmDetach unmaps a segment ShmAttach returned. See shmdt(2).
func ShmDetach(b []byte) error {
	if err := unix.SysvShmDetach(b); err != nil {
		return fmt.Errorf("shmdt: %w", err)
	}
	return nil
}

// ShmDS is a segment's struct shmid64_ds (x/sys/unix's layout, checked by a size test).
type ShmDS = unix.SysvShmDesc

// ShmStat returns the shmid64_ds of segment id (IPC_STAT). See shmctl(2).
func ShmStat(id ID) (*ShmDS, error) {
	var ds ShmDS
	if _, err := unix.SysvShmCtl(int(id), ipcStat, &ds); err != nil {
		return nil, fmt.Errorf("shmctl(%d, IPC_STAT): %w", id, err)
	}
	return &ds, nil
}

// ShmStatIndex returns the segment at index idx of the kernel's table and its id (SHM_STAT_ANY,
// falling back to SHM_STAT on kernels before 4.17).
func ShmStatIndex(idx int) (ID, *ShmDS, error) {
	var ds ShmDS
	id, err := unix.SysvShmCtl(idx, shmStatAny, &ds)
	if err == unix.EINVAL {
		id, err = unix.SysvShmCtl(idx, shmStat, &ds)
	}
	if err != nil {
		return -1, nil, fmt.Errorf("shmctl(%d, SHM_STAT_ANY): %w", idx, err)
	}
	return ID(id), &ds, nil
}

// ShmRemove marks segment id for removal (IPC_RMID): it goes when the last process detaches, and
// at once when none is attached.
func ShmRemove(id ID) error {
	if _, err := unix.SysvShmCtl(int(id), ipcRmid, nil); err != nil {
		return fmt.Errorf("shmctl(%d, IPC_RMID): %w", id, err)
	}
	return nil
}

// ShmSetMode changes the permission bits of segment id (IPC_SET).
func ShmSetMode(id ID, mode uint32) error {
	ds, err := ShmStat(id)
	if err != nil {
		return err
	}
	ds.Perm.Mode = ds.Perm.Mode&^0o777 | mode&0o777
	if _, err := unix.SysvShmCtl(int(id), ipcSet, ds); err != nil {
		return fmt.Errorf("shmctl(%d, IPC_SET): %w", id, err)
	}
	return nil
}

// ShmSegOf returns segment id's state (IPC_STAT) as the same record /proc/sysvipc/shm gives,
// without RSS and Swap, which only /proc shows. A segment marked for removal but still attached has
// ShmDest in its Mode and key 0.
func ShmSegOf(id ID) (ShmSeg, error) {
	ds, err := ShmStat(id)
	if err != nil {
		return ShmSeg{}, err
	}
	return ShmSeg{
		Key: Key(ds.Perm.Key), ID: id, Mode: ds.Perm.Mode, Size: ds.Segsz,
		CPID: int(ds.Cpid), LPID: int(ds.Lpid), NAttch: ds.Nattch,
		Owner: Owner{UID: ds.Perm.Uid, GID: ds.Perm.Gid, CUID: ds.Perm.Cuid, CGID: ds.Perm.Cgid},
		ATime: Time(ds.Atime), DTime: Time(ds.Dtime), CTime: Time(ds.Ctime),
	}, nil
}
