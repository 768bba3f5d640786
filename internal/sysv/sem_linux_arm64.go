package sysv

// SemidDS is struct semid64_ds as arm64 lays it out (the generic 64-bit layout of
// include/uapi/asm-generic/sembuf.h, 88 bytes): no unused word after the times, unlike x86-64.
type SemidDS struct {
	Perm  Perm
	Otime int64 // last semop, seconds since the epoch (0 = never)
	Ctime int64 // last change by semctl
	Nsems uint64
	_     uint64
	_     uint64
}
