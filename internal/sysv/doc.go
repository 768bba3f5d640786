//go:build linux

// Package sysv wraps the System V IPC system calls — message queues, semaphore sets and shared
// memory segments — and reads their tables from /proc/sysvipc.
//
// # Shape
//
// The wrappers follow golang.org/x/sys/unix: one function per system call, typed arguments, and the
// bare syscall.Errno returned (wrapped with the call for context) so callers can use errors.Is with
// unix.ENOENT, unix.EEXIST, unix.EAGAIN and friends. x/sys/unix wraps only shared memory; msg and sem
// are raw syscalls here, with their struct layouts in one file per kind and size tests.
//
// See msgget(2), msgsnd(2), msgctl(2), semget(2), semop(2), semctl(2), shmget(2), shmat(2),
// shmctl(2), ftok(3) and proc(5) (/proc/sysvipc).
package sysv
