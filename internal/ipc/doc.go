// Package ipc is the object-kind layer over both flavors of Linux IPC: a message queue, a
// semaphore or a shared memory segment named by an address (package addr) is opened, created,
// used and removed here, whichever flavor it is. A /name is POSIX (internal/posix: mq_overview(7),
// sem_overview(7), shm_overview(7)); a key, ftok:PATH:PROJ, id:N or private is System V
// (internal/sysv: msgget(2), semget(2), shmget(2)).
//
// # Errors
//
// The errors keep the errno they stand for (errors.Is(err, unix.ENOENT) holds), and this package
// reads the errnos whose meaning depends on what was asked: an EINVAL from msgsnd(2) or msgrcv(2)
// on an id that was valid is ErrRemoved (which Is unix.EIDRM); a message larger than a lowered
// msgmax is a *TooLargeError; a symbolic link where a POSIX object should be is ErrSymlink. The
// command layer maps them to words and exit codes without importing x/sys/unix.
package ipc
