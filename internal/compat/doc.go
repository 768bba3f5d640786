// Package compat is ipcx's emulation of util-linux 2.41.5's ipcs(1), ipcrm(1), ipcmk(1) and
// lsipc(1): the tools as functions over a command line, output streams and a System (the IPC
// objects of a namespace), without cobra.
//
// Getopt parses a command line as glibc's getopt_long(3) does (clusters, attached and separate
// arguments, unambiguous prefixes of long options, argument permutation, "--"), with glibc's
// messages. Ipcs and Lsipc print a Snapshot (package inventory's System V objects, and /dev/mqueue
// and /dev/shm read as lsipc reads them); their printers need no kernel, so ipcs's are also tested
// on captured snapshots (testdata). Lsipc's columns are data (lsipcColumns, util-linux's
// coldescs[]) and its tables are drawn as libsmartcols draws them for output that is not a
// terminal (scols.go). Ipcrm and Ipcmk make util-linux's calls, with glibc's rules for POSIX
// names (raw.go), inside the namespace (System.Do), so that they fail where util-linux fails.
//
// The deliberate differences from util-linux are listed once, in cmd/ipcx's compatDeviations
// and the README; TestCompareUtilLinux runs the real tools and these side by side and checks that
// nothing else differs. See ipcs(1), ipcrm(1), ipcmk(1), lsipc(1), getopt(3), msgctl(2),
// shmctl(2), semctl(2), shm_open(3), mq_open(3), sem_open(3).
package compat
