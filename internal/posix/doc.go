//go:build linux

// Package posix implements the POSIX IPC objects without cgo: message queues (the mq_* system
// calls), named semaphores binary-compatible with glibc's sem_open (a 32-byte file in /dev/shm and
// the same futex protocol), shared memory opened the way shm_open(3) does, FIFOs and pipes.
//
// Names are given with their leading slash, as glibc takes them ("/jobs"); ValidName holds the rules.
//
// See mq_overview(7), sem_overview(7), shm_overview(7), fifo(7) and pipe(7).
package posix
