package sysv

// SemidDS is struct semid64_ds as x86-64 lays it out (arch/x86/include/uapi/asm/sembuf.h, 104
// bytes): each time is followed by an unused word, unlike the generic layout of arm64. Other
// architectures have their own file; one without it does not build, rather than read the fields
// at the wrong offsets.
type SemidDS struct {
	Perm  Perm
	Otime int64 // last semop, seconds since the epoch (0 = never)
	_     uint64
	Ctime int64 // last change by semctl
	_     uint64
	Nsems uint64
	_     uint64
	_     uint64
}
