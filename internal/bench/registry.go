//go:build linux

package bench

import (
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// mechanisms in the order they run, made on first use (not at init: most commands are not bench).
var mechanisms = sync.OnceValue(func() []*mechanism {
	unixStream := sockKind{family: unix.AF_UNIX, typ: unix.SOCK_STREAM}
	unixDgram := sockKind{family: unix.AF_UNIX, typ: unix.SOCK_DGRAM}
	unixSeq := sockKind{family: unix.AF_UNIX, typ: unix.SOCK_SEQPACKET}
	tcp := sockKind{family: unix.AF_INET, typ: unix.SOCK_STREAM, loopback: "127.0.0.1"}
	udp := sockKind{family: unix.AF_INET, typ: unix.SOCK_DGRAM, loopback: "127.0.0.1"}
	tcp6 := sockKind{family: unix.AF_INET6, typ: unix.SOCK_STREAM, loopback: "::1"}
	return []*mechanism{
		{name: "pipe", fds: true, about: "two unnamed pipes (pipe2), one each way", stream: true, start: startPipe, child: childPipe},
		{name: "fifo", fds: true, about: "two FIFOs (mkfifo) in a private directory", stream: true, start: startFIFO, child: childFIFO},
		{name: "unix", fds: true, about: "a UNIX stream socket, connected through a socket file", stream: true, start: unixStream.start, child: unixStream.child},
		{name: "unix-dgram", fds: true, about: "two bound UNIX datagram sockets, connected to each other", stream: true, start: unixDgram.start, child: unixDgram.child, limit: dgramLimit},
		{name: "unix-seqpacket", fds: true, about: "a UNIX seqpacket socket, connected through a socket file", stream: true, start: unixSeq.start, child: unixSeq.child, limit: dgramLimit},
		{name: "tcp", fds: true, about: "a TCP connection over 127.0.0.1 (TCP_NODELAY)", stream: true, start: tcp.start, child: tcp.child},
		{name: "udp", fds: true, about: "two connected UDP sockets on 127.0.0.1 (the stream counts what arrives)", stream: true, start: udp.start, child: udp.child, limit: udpLimit, lossy: true},
		{name: "tcp6", fds: true, about: "a TCP connection over ::1 (TCP_NODELAY)", stream: true, start: tcp6.start, child: tcp6.child},
		{name: "sysv-mq", about: "a System V message queue (msgsnd/msgrcv), type 1 there, 2 back", stream: true, start: startSysvMsg, child: childSysvMsg, limit: sysvMsgLimit},
		{name: "posix-mq", fds: true, about: "two POSIX message queues (mq_timedsend/mq_timedreceive), 10 deep", stream: true, start: startPosixMq, child: childPosixMq, limit: posixMqLimit},
		{name: "sysv-sem", about: "a System V semaphore set of two (semop): post one, wait on the other", kind: carriesNone, start: startSysvSem, child: childSysvSem},
		{name: "posix-sem", about: "two glibc-compatible named semaphores (futex on the mapped sem_t)", kind: carriesNone, start: startPosixSem, child: childPosixSem},
		{name: "shm", about: "POSIX shared memory: two rings of message slots, futex wake-up", stream: true, start: startShm, child: childShm},
		{name: "signal", about: "a real-time signal (rt_tgsigqueueinfo, sigtimedwait) carrying a value", kind: carriesValue, start: startSignal, child: childSignal},
		{name: "eventfd", fds: true, about: "two eventfd counters, one each way", kind: carriesValue, start: startEventfd, child: childEventfd},
	}
})

// udpLimit: the largest UDP payload over IPv4.
func udpLimit() (int, string) { return 65507, "the largest UDP datagram over IPv4" }

// dgramLimit: a UNIX datagram must fit the sender's buffer, which root sets as large as the
// message needs (SO_SNDBUFFORCE) and others up to twice net.core.wmem_max.
func dgramLimit() (int, string) {
	if os.Geteuid() == 0 {
		return 0, ""
	}
	return procLimit("/proc/sys/net/core/wmem_max"), "net.core.wmem_max (/proc/sys/net/core/wmem_max)"
}
