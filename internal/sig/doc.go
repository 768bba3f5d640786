//go:build linux

// Package sig is the signal half of ipcx: the machine's signal table, a name parser, sending through
// pidfds (with sigqueue values), trapping signals with the sender's siginfo, watching every signal on
// the machine through tracefs, and decoding what a process blocks, ignores, catches and has pending.
//
// # Names and numbers
//
// Real-time signals are numbered as glibc and kill(1) see them: RTMIN is 34 and RTMAX 64. The kernel
// starts real-time signals at 32, but glibc keeps 32 and 33 for its threads, so a C program's SIGRTMIN
// is 34; ipcx follows the C program. Names are accepted with or without SIG, in any case, as numbers,
// and as RTMIN+N or RTMAX-N (see [Parse]).
//
// # Sending
//
// [OpenProcess] holds a pidfd (pidfd_open(2)) so that a later signal or wait addresses the process
// that was named, never another one that got its pid after it exited. Values go in a SI_QUEUE siginfo
// through pidfd_send_signal(2), which is what sigqueue(3) does with rt_sigqueueinfo(2).
//
// # Trapping
//
// os/signal reports only the signal number. To learn who sent a signal, a process must receive it
// through sigwaitinfo(2) or a signalfd(2), which needs the signal blocked on every thread. The Go
// runtime keeps the signal mask it started with on every thread it makes, minus the signals it needs
// itself; so [Prepare] blocks the set on a locked thread and re-executes the same binary (the mask
// and pending signals survive execve). [ResumeAfterReexec], called first thing in main, notes that
// this happened. A [Trap] then reads the signalfd through Go's poller.
//
// The runtime never lets HUP, INT, TERM, QUIT, ABRT, SYS, ILL, TRAP, BUS, FPE, SEGV, STKFLT, CHLD,
// PROF and URG stay blocked. For those a Trap uses os/signal and, when it can open a trace instance
// (root), takes the sender from the kernel's signal:signal_generate events; otherwise it says the
// sender is unknown. One notification may stand for several sends (the kernel and the runtime both
// coalesce): it takes every send of its signal traced before it, and names the last. KILL and STOP
// cannot be caught at all, glibc's RTMIN (34) kills a pure Go program even when notified
// (golang/go#39343), the runtime's profiler swallows PROF, and the runtime preempts goroutines with
// URG sent to its own threads (not told apart from a sent one): those are refused.
//
// Standard signals (1-31) coalesce: while one is pending, another of the same number is dropped by
// the kernel, so a trap may see fewer than were sent. Real-time signals queue (up to RLIMIT_SIGPENDING)
// and arrive in order, each with its own value.
//
// # Waiting commands
//
// [NewReceiver] is a Trap made ready for a command: the signals blocked (Prepare), the interrupts
// it does not trap caught so that they end it cleanly, then its pidfile written, in that order.
// [NotifyContext] and [Interrupted] give waiting commands a context that an interrupt cancels and
// the signal for their exit status; [Send] signals processes through pidfds, with a follow-up
// signal and a wait for their exit.
//
// # Snooping
//
// [OpenTrace] makes a private tracefs instance under instances/, enables signal:signal_generate and
// signal:signal_deliver there and reads its trace_pipe; Close removes the instance. tracefs is
// mounted on /sys/kernel/tracing first when it is not mounted, and unmounted again on Close.
//
// # Status
//
// [ReadStatus] decodes the SigPnd, ShdPnd, SigBlk, SigIgn and SigCgt masks of /proc/PID/status.
package sig
