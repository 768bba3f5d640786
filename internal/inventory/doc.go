//go:build linux

// Package inventory is the unified inventory of the kernel-persistent IPC objects of one IPC
// namespace: System V message queues, semaphore sets and shared memory segments, and POSIX message
// queues, named semaphores and shared memory objects, with the live processes that hold them.
//
// # Sources
//
// System V objects come from /proc/sysvipc/{msg,sem,shm} (every object, whatever its
// permissions). POSIX queues come from an mqueue filesystem of the namespace; POSIX semaphores
// (glibc's sem.NAME) and shared memory objects are the regular files of /dev/shm, never symlinks,
// directories or other special files.
//
// # Holders
//
// One scan of /proc finds who holds what: a System V segment is mapped as "/SYSV<key>" with the
// segment id as inode (/proc/PID/maps); POSIX shared memory is an open descriptor on the file or a
// mapping of its inode; a POSIX semaphore is a mapping (glibc closes the descriptor); a POSIX queue
// is an open descriptor on its mqueue inode. System V queues and semaphore sets leave no trace in a
// process: their last sender, receiver or operator (lspid, lrpid, sempid) stand in when alive.
// Other users' /proc entries need root; what cannot be read is skipped.
//
// An object is an orphan when no live process holds it and its creator is gone (System V shm keeps
// its creator's pid; the other kinds do not, so for them "no holder" is the whole test).
//
// # Other namespaces
//
// A Namespace names another process's IPC namespace (or an ipc namespace file). Do runs a function
// on a locked OS thread that joined it with setns(2): System V calls, /proc/sysvipc and sysctl
// reads and a fresh mqueue mount all see that namespace. POSIX files are read from the process's
// /dev/shm, resolved inside its root (/proc/PID/root) with openat2(2) following no symbolic link,
// and then only relative to that directory (fstatat, unlinkat): a /dev or /dev/shm that is a link
// in the target is reported and nothing there is listed or removed; a link inside its /dev/shm is
// reported, never an object. Its queues are read from a fresh mqueue mount, never its /dev/mqueue.
package inventory
