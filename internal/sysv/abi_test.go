//go:build linux

package sysv

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// abi is the kernel's ABI for System V IPC on one architecture, written down from the kernel's own
// tables, so that a wrong x/sys constant or a struct declared with another architecture's layout
// fails here rather than calling pwrite64 or reading a time from a padding word.
type abi struct {
	sys     map[string]uintptr // syscall numbers
	sizes   map[string]uintptr // sizeof
	offsets map[string]uintptr // offsetof, "struct.field"
}

// abis holds the architectures ipcx is built and tested for. amd64: arch/x86/entry/syscalls/
// syscall_64.tbl and arch/x86/include/uapi/asm/sembuf.h (a padding word after each time);
// arm64: the generic table include/uapi/asm-generic/unistd.h and asm-generic/sembuf.h.
var abis = map[string]abi{
	"amd64": {
		sys: map[string]uintptr{
			"msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71,
			"semget": 64, "semop": 65, "semctl": 66, "semtimedop": 220,
			"shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67,
		},
		sizes: map[string]uintptr{"ipc64_perm": 48, "msqid64_ds": 120, "semid64_ds": 104, "shmid64_ds": 112, "sembuf": 6,
			"msginfo": 32, "shm_info": 48, "seminfo": 40},
		offsets: map[string]uintptr{
			"semid64_ds.sem_otime": 48, "semid64_ds.sem_ctime": 64, "semid64_ds.sem_nsems": 80,
		},
	},
	"arm64": {
		sys: map[string]uintptr{
			"msgget": 186, "msgctl": 187, "msgrcv": 188, "msgsnd": 189,
			"semget": 190, "semctl": 191, "semtimedop": 192, "semop": 193,
			"shmget": 194, "shmctl": 195, "shmat": 196, "shmdt": 197,
		},
		sizes: map[string]uintptr{"ipc64_perm": 48, "msqid64_ds": 120, "semid64_ds": 88, "shmid64_ds": 112, "sembuf": 6,
			"msginfo": 32, "shm_info": 48, "seminfo": 40},
		offsets: map[string]uintptr{
			"semid64_ds.sem_otime": 48, "semid64_ds.sem_ctime": 56, "semid64_ds.sem_nsems": 64,
		},
	},
}

// Offsets the 64-bit architectures share.
var commonOffsets = map[string]uintptr{
	"ipc64_perm.key": 0, "ipc64_perm.uid": 4, "ipc64_perm.gid": 8, "ipc64_perm.cuid": 12,
	"ipc64_perm.cgid": 16, "ipc64_perm.mode": 20, "ipc64_perm.seq": 24,
	"msqid64_ds.msg_stime": 48, "msqid64_ds.msg_rtime": 56, "msqid64_ds.msg_ctime": 64,
	"msqid64_ds.msg_cbytes": 72, "msqid64_ds.msg_qnum": 80, "msqid64_ds.msg_qbytes": 88,
	"msqid64_ds.msg_lspid": 96, "msqid64_ds.msg_lrpid": 100,
	"shmid64_ds.shm_segsz": 48, "shmid64_ds.shm_atime": 56, "shmid64_ds.shm_dtime": 64,
	"shmid64_ds.shm_ctime": 72, "shmid64_ds.shm_cpid": 80, "shmid64_ds.shm_lpid": 84,
	"shmid64_ds.shm_nattch": 88,
	"sembuf.sem_num":        0, "sembuf.sem_op": 2, "sembuf.sem_flg": 4,
	"msginfo.msgtql": 24, "msginfo.msgseg": 28, "shm_info.shm_tot": 8, "shm_info.swap_successes": 40,
	"seminfo.semusz": 28, "seminfo.semaem": 36,
}

func TestABI(t *testing.T) {
	want, ok := abis[runtime.GOARCH]
	if !ok {
		t.Fatalf("no System V ABI written down for GOARCH=%s: add it to abis and a SemidDS file for it", runtime.GOARCH)
	}
	sys := map[string]uintptr{
		"msgget": unix.SYS_MSGGET, "msgsnd": unix.SYS_MSGSND, "msgrcv": unix.SYS_MSGRCV, "msgctl": unix.SYS_MSGCTL,
		"semget": unix.SYS_SEMGET, "semop": unix.SYS_SEMOP, "semctl": unix.SYS_SEMCTL, "semtimedop": unix.SYS_SEMTIMEDOP,
		"shmget": unix.SYS_SHMGET, "shmat": unix.SYS_SHMAT, "shmctl": unix.SYS_SHMCTL, "shmdt": unix.SYS_SHMDT,
	}
	for name, n := range want.sys {
		if sys[name] != n {
			t.Errorf("%s: SYS_%s is %d, the kernel's table says %d", runtime.GOARCH, name, sys[name], n)
		}
	}
	var (
		perm Perm
		msq  MsqidDS
		sem  SemidDS
		shm  ShmDS
		op   Sembuf
		mi   MsgInfo
		si   ShmInfo
		sm   SemInfo
	)
	sizes := map[string]uintptr{
		"ipc64_perm": unsafe.Sizeof(perm), "msqid64_ds": unsafe.Sizeof(msq), "semid64_ds": unsafe.Sizeof(sem),
		"shmid64_ds": unsafe.Sizeof(shm), "sembuf": unsafe.Sizeof(op),
		"msginfo": unsafe.Sizeof(MsgInfo{}), "shm_info": unsafe.Sizeof(ShmInfo{}), "seminfo": unsafe.Sizeof(SemInfo{}),
	}
	for name, n := range want.sizes {
		if sizes[name] != n {
			t.Errorf("%s: sizeof(struct %s) = %d, want %d", runtime.GOARCH, name, sizes[name], n)
		}
	}
	offsets := map[string]uintptr{
		"ipc64_perm.key": unsafe.Offsetof(perm.Key), "ipc64_perm.uid": unsafe.Offsetof(perm.UID),
		"ipc64_perm.gid": unsafe.Offsetof(perm.GID), "ipc64_perm.cuid": unsafe.Offsetof(perm.CUID),
		"ipc64_perm.cgid": unsafe.Offsetof(perm.CGID), "ipc64_perm.mode": unsafe.Offsetof(perm.Mode),
		"ipc64_perm.seq":       unsafe.Offsetof(perm.Seq),
		"msqid64_ds.msg_stime": unsafe.Offsetof(msq.Stime), "msqid64_ds.msg_rtime": unsafe.Offsetof(msq.Rtime),
		"msqid64_ds.msg_ctime": unsafe.Offsetof(msq.Ctime), "msqid64_ds.msg_cbytes": unsafe.Offsetof(msq.Cbytes),
		"msqid64_ds.msg_qnum": unsafe.Offsetof(msq.Qnum), "msqid64_ds.msg_qbytes": unsafe.Offsetof(msq.Qbytes),
		"msqid64_ds.msg_lspid": unsafe.Offsetof(msq.Lspid), "msqid64_ds.msg_lrpid": unsafe.Offsetof(msq.Lrpid),
		"semid64_ds.sem_otime": unsafe.Offsetof(sem.Otime), "semid64_ds.sem_ctime": unsafe.Offsetof(sem.Ctime),
		"semid64_ds.sem_nsems": unsafe.Offsetof(sem.Nsems),
		"shmid64_ds.shm_segsz": unsafe.Offsetof(shm.Segsz), "shmid64_ds.shm_atime": unsafe.Offsetof(shm.Atime),
		"shmid64_ds.shm_dtime": unsafe.Offsetof(shm.Dtime), "shmid64_ds.shm_ctime": unsafe.Offsetof(shm.Ctime),
		"shmid64_ds.shm_cpid": unsafe.Offsetof(shm.Cpid), "shmid64_ds.shm_lpid": unsafe.Offsetof(shm.Lpid),
		"shmid64_ds.shm_nattch": unsafe.Offsetof(shm.Nattch),
		"sembuf.sem_num":        unsafe.Offsetof(op.Num), "sembuf.sem_op": unsafe.Offsetof(op.Op),
		"sembuf.sem_flg": unsafe.Offsetof(op.Flg),
		"msginfo.msgtql": unsafe.Offsetof(mi.Msgtql), "msginfo.msgseg": unsafe.Offsetof(mi.Msgseg),
		"shm_info.shm_tot": unsafe.Offsetof(si.ShmTot), "shm_info.swap_successes": unsafe.Offsetof(si.SwapSuccesses),
		"seminfo.semusz": unsafe.Offsetof(sm.Semusz), "seminfo.semaem": unsafe.Offsetof(sm.Semaem),
	}
	check := func(want map[string]uintptr) {
		for name, n := range want {
			got, ok := offsets[name]
			if !ok {
				t.Errorf("no field for %s", name)
			} else if got != n {
				t.Errorf("%s: offsetof(%s) = %d, want %d", runtime.GOARCH, name, got, n)
			}
		}
	}
	check(commonOffsets)
	check(want.offsets)
}

// TestSemStatTimes checks SemidDS against the kernel itself: a set just made has no semop time and
// a change time of now, which a layout with the other architecture's padding would read wrongly.
func TestSemStatTimes(t *testing.T) {
	id := newSet(t, 3)
	ds, err := SemStat(id)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	if ds.Otime != 0 || ds.Ctime < now-60 || ds.Ctime > now+60 || ds.Nsems != 3 {
		t.Errorf("semid64_ds: otime %d, ctime %d (now %d), nsems %d; want 0, now, 3", ds.Otime, ds.Ctime, now, ds.Nsems)
	}
}

// TestMsgStatFields does the same for MsqidDS after one message: a count, a byte count, the
// sender's pid and a send time of now, each at the offset the kernel writes it to.
func TestMsgStatFields(t *testing.T) {
	id, err := MsgGet(Private, Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { MsgRemove(id) })
	if err := MsgSnd(context.Background(), id, 1, []byte("hello"), NoWait); err != nil {
		t.Fatal(err)
	}
	ds, err := MsgStat(id)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	if ds.Qnum != 1 || ds.Cbytes != 5 || int(ds.Lspid) != os.Getpid() || ds.Lrpid != 0 || ds.Rtime != 0 ||
		ds.Stime < now-60 || ds.Stime > now+60 || ds.Perm.Mode&0o777 != 0o600 {
		t.Errorf("msqid64_ds: %+v (now %d, pid %d)", *ds, now, os.Getpid())
	}
}
