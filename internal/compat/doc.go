// Package compat is ipcx's emulation of util-linux's ipcs(1), ipcrm(1) and ipcmk(1): the tools as
// functions over a command line, output streams and a System (the IPC objects), without cobra.
//
// Getopt parses a command line as glibc's getopt_long(3) does (clusters, attached and separate
// arguments, unambiguous prefixes of long options, argument permutation, "--"), with glibc's
// messages. Ipcs prints an inventory snapshot (package inventory) as util-linux's ipcs does; its
// printers need no kernel, so they are tested on captured snapshots (testdata). Ipcrm and Ipcmk
// remove and create objects through a System; Kernel is the real one, over packages inventory,
// sysv and posix. See ipcs(1), ipcrm(1), ipcmk(1), getopt(3), msgctl(2), shmctl(2), semctl(2).
package compat
