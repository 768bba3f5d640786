// The C reference of `ipcx bench` (scripts/bench.d/ipcbench.sh): the same mechanism, message size,
// round trips, warm-up and placement, the same protocol as internal/bench, written the way a C
// programmer would: two processes by fork(2), each pinned with sched_setaffinity(2), a
// clock_gettime(CLOCK_MONOTONIC) per round trip.
//
//   ipcbench MECH SIZE COUNT WARMUP CPU_MEASURING CPU_ECHOING STREAM
//
// prints "p50_ns N" (the median round trip, nearest rank, as ipcx's Summarize) and, with
// STREAM 1, "msgs_per_s R" and "bytes_per_s R": WARMUP messages streamed, then COUNT messages
// timed by the receiver from the first arrival to the last, (COUNT-1)/time.
//
// Every object is made before the fork and its name removed at once (System V objects when the
// run ends): a run leaves nothing behind.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <mqueue.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) {
	perror(what);
	exit(1);
}

static const char *mech;
static uint64_t seq_now; // the message now sent or awaited
static long size;
static int is_parent;

// --- byte streams and message sockets

static int fd_r[2], fd_w[2]; // [parent, child]: the descriptor each end reads and writes
static int dgram;            // one message per call

static void fd_send(const char *b) {
	int fd = fd_w[!is_parent];
	if (dgram) {
		if (write(fd, b, size) != size) die("write");
		return;
	}
	for (long off = 0; off < size;) {
		ssize_t n = write(fd, b + off, size - off);
		if (n < 0) { if (errno == EINTR) continue; die("write"); }
		off += n;
	}
}

static void fd_recv(char *b) {
	int fd = fd_r[!is_parent];
	if (dgram) {
		ssize_t n = read(fd, b, size + 1);
		if (n < 0 && errno == EAGAIN) {
			fprintf(stderr, "%s: the %s end had no message %llu within 1 s: lost\n", mech, is_parent ? "measuring" : "echoing", (unsigned long long)seq_now);
			exit(1);
		}
		if (n < 0) die("read");
		if (n != size) { fprintf(stderr, "%s: a message of %zd bytes, not %ld\n", mech, n, size); exit(1); }
		return;
	}
	for (long off = 0; off < size;) {
		ssize_t n = read(fd, b + off, size - off);
		if (n < 0) { if (errno == EINTR) continue; die("read"); }
		if (n == 0) { fprintf(stderr, "the other end closed\n"); exit(1); }
		off += n;
	}
}

// tune as internal/bench's sockKind.tune: no Nagle delay for TCP, 4 MiB buffers (or 4 messages)
// for message sockets, a 1 s receive timeout for UDP.
static void tune(int fd, int family, int type) {
	if (type == SOCK_STREAM && family != AF_UNIX) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	if (type != SOCK_STREAM) {
		int buf = 4 << 20;
		if (4 * size > buf) buf = 4 * size;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf)) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof buf)) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
	}
	if (family != AF_UNIX && type == SOCK_DGRAM) {
		struct timeval tv = {1, 0};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	}
}

static char dir[64];

static socklen_t sockaddr_of(int family, struct sockaddr_storage *ss, const char *path) {
	memset(ss, 0, sizeof *ss);
	if (family == AF_UNIX) {
		struct sockaddr_un *a = (struct sockaddr_un *)ss;
		a->sun_family = AF_UNIX;
		snprintf(a->sun_path, sizeof a->sun_path, "%s/%s", dir, path);
		return sizeof *a;
	}
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof *a;
	}
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
	a->sin6_family = AF_INET6;
	a->sin6_addr = in6addr_loopback;
	return sizeof *a;
}

// sock_pair connects two sockets as internal/bench does: a listening socket accepts the
// other's connection (stream, seqpacket), or two bound datagram sockets connect to each other.
static void sock_pair(int family, int type) {
	struct sockaddr_storage sa, sb;
	socklen_t la = sockaddr_of(family, &sa, "p"), lb = sockaddr_of(family, &sb, "c");
	int a = socket(family, type | SOCK_CLOEXEC, 0), b = socket(family, type | SOCK_CLOEXEC, 0);
	if (a < 0 || b < 0) die("socket");
	if (bind(a, (struct sockaddr *)&sa, la)) die("bind");
	getsockname(a, (struct sockaddr *)&sa, &la);
	if (type == SOCK_DGRAM) {
		tune(a, family, type);
		if (bind(b, (struct sockaddr *)&sb, lb)) die("bind");
		getsockname(b, (struct sockaddr *)&sb, &lb);
		tune(b, family, type);
		if (connect(b, (struct sockaddr *)&sa, la) || connect(a, (struct sockaddr *)&sb, lb)) die("connect");
	} else {
		if (listen(a, 1)) die("listen");
		tune(b, family, type);
		if (connect(b, (struct sockaddr *)&sa, la)) die("connect");
		int c = accept4(a, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) die("accept");
		tune(c, family, type);
		close(a);
		a = c;
	}
	if (family == AF_UNIX) {
		char p[128];
		snprintf(p, sizeof p, "%s/p", dir); unlink(p);
		snprintf(p, sizeof p, "%s/c", dir); unlink(p);
	}
	fd_r[0] = fd_w[0] = a;
	fd_r[1] = fd_w[1] = b;
	dgram = type != SOCK_STREAM;
}

// --- System V message queue: one queue, type 1 to the echoing end, type 2 back.

static int msqid = -1;
static struct msgbuf_ { long mtype; char text[]; } *msg;

static void sysvmq_send(const char *b) {
	msg->mtype = is_parent ? 1 : 2;
	memcpy(msg->text, b, size);
	while (msgsnd(msqid, msg, size, 0)) if (errno != EINTR) die("msgsnd");
}

static void sysvmq_recv(char *b) {
	ssize_t n;
	while ((n = msgrcv(msqid, msg, size, is_parent ? 2 : 1, 0)) < 0) if (errno != EINTR) die("msgrcv");
	if (n != size) die("msgrcv: a message of another size");
	memcpy(b, msg->text, size);
}

// --- POSIX message queues: one each way, 10 deep (or msg_max when lower).

static mqd_t mq[2]; // [to the echoing end, back]

static void posixmq_send(const char *b) {
	while (mq_send(mq[!is_parent], b, size, 0)) if (errno != EINTR) die("mq_send");
}

static void posixmq_recv(char *b) {
	ssize_t n;
	while ((n = mq_receive(mq[is_parent], b, size, NULL)) < 0) if (errno != EINTR) die("mq_receive");
	if (n != size) die("mq_receive: a message of another size");
}

// --- System V semaphores: a set of two; the measuring end posts 0 and waits on 1.

static int semid = -1;

static void sem_op(int num, int op) {
	struct sembuf sb = {num, op, 0};
	while (semop(semid, &sb, 1)) if (errno != EINTR) die("semop");
}
static void sysvsem_send(const char *b) { (void)b; sem_op(is_parent ? 0 : 1, 1); }
static void sysvsem_recv(char *b) { (void)b; sem_op(is_parent ? 1 : 0, -1); }

// --- POSIX named semaphores (glibc's sem_post and sem_wait), one each way.

static sem_t *psem[2];
static void posixsem_send(const char *b) { (void)b; if (sem_post(psem[!is_parent])) die("sem_post"); }
static void posixsem_recv(char *b) {
	(void)b;
	while (sem_wait(psem[is_parent])) if (errno != EINTR) die("sem_wait");
}

// --- POSIX shared memory: internal/bench's two rings of message slots with futex wake-up: a
// 4096-byte header (ring r's head at r*256, its consumer-waiting flag at +4, tail at +128,
// producer-waiting flag at +132), then ring 0 (to the echoing end), then ring 1.

struct ring {
	uint32_t *head, *cwait, *tail, *pwait;
	char *slots;
	uint32_t n, h, t;
	long slot;
};
static struct ring rings[2];

static void futex_wait(uint32_t *addr, uint32_t val) { syscall(SYS_futex, addr, FUTEX_WAIT, val, NULL, NULL, 0); }
static void futex_wake(uint32_t *addr) { syscall(SYS_futex, addr, FUTEX_WAKE, 1, NULL, NULL, 0); }
#define LOAD(p) __atomic_load_n(p, __ATOMIC_SEQ_CST)
#define STORE(p, v) __atomic_store_n(p, v, __ATOMIC_SEQ_CST)

static void ring_put(struct ring *q, const char *p) {
	uint32_t h = q->h;
	while (h - LOAD(q->tail) == q->n) {
		STORE(q->pwait, 1);
		uint32_t t = LOAD(q->tail);
		if (h - t != q->n) { STORE(q->pwait, 0); break; }
		futex_wait(q->tail, t);
		STORE(q->pwait, 0);
	}
	memcpy(q->slots + (h % q->n) * q->slot, p, size);
	q->h = h + 1;
	STORE(q->head, h + 1);
	if (LOAD(q->cwait)) futex_wake(q->head);
}

static void ring_get(struct ring *q, char *p) {
	uint32_t t = q->t;
	while (LOAD(q->head) == t) {
		STORE(q->cwait, 1);
		if (LOAD(q->head) != t) { STORE(q->cwait, 0); break; }
		futex_wait(q->head, t);
		STORE(q->cwait, 0);
	}
	memcpy(p, q->slots + (t % q->n) * q->slot, size);
	q->t = t + 1;
	STORE(q->tail, t + 1);
	if (LOAD(q->pwait)) futex_wake(q->tail);
}

static void shm_send(const char *b) { ring_put(&rings[!is_parent], b); }
static void shm_recv(char *b) { ring_get(&rings[is_parent], b); }

// --- real-time signal 40 (SIGRTMIN+6), blocked in both, taken with sigwaitinfo; the value is
// the sequence number.

#define BENCH_SIGNAL 40
static pid_t peer;
static sigset_t sigs;

static void signal_send(const char *b) {
	(void)b;
	union sigval v = {.sival_ptr = (void *)(uintptr_t)seq_now};
	while (sigqueue(peer, BENCH_SIGNAL, v)) if (errno != EAGAIN && errno != EINTR) die("sigqueue");
}

static void signal_recv(char *b) {
	(void)b;
	siginfo_t si;
	while (sigwaitinfo(&sigs, &si) < 0) if (errno != EINTR) die("sigwaitinfo");
	if ((uintptr_t)si.si_value.sival_ptr != seq_now || si.si_code != SI_QUEUE) {
		fprintf(stderr, "signal: a value out of order\n");
		exit(1);
	}
}

// --- eventfd: two counters, one each way; a read takes exactly the seq+1 written.

static int efd[2]; // [to the echoing end, back]

static void eventfd_send(const char *b) {
	(void)b;
	uint64_t v = seq_now + 1;
	while (write(efd[!is_parent], &v, 8) != 8) if (errno != EINTR) die("write eventfd");
}

static void eventfd_recv(char *b) {
	(void)b;
	uint64_t v;
	while (read(efd[is_parent], &v, 8) != 8) if (errno != EINTR) die("read eventfd");
	if (v != seq_now + 1) { fprintf(stderr, "eventfd: a value out of order\n"); exit(1); }
}

// --- the run

static void (*send_msg)(const char *);
static void (*recv_msg)(char *);
static int data = 1; // the mechanism carries --size bytes (stamped with the sequence number)

static void stamp(char *b, uint64_t seq) {
	if (size >= 8) memcpy(b, &seq, 8);
	else if (size > 0) b[0] = (char)seq;
}

static int stamped_ok(const char *b, uint64_t seq) {
	if (size >= 8) { uint64_t v; memcpy(&v, b, 8); return v == seq; }
	return size == 0 || b[0] == (char)seq;
}

static void check(const char *b, uint64_t seq) {
	if (data && !stamped_ok(b, seq)) { fprintf(stderr, "message %llu out of order or changed\n", (unsigned long long)seq); exit(1); }
}

static int64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// close_other closes the descriptors of the other end (of end 0, the measuring one, or 1), so
// that its death is an end of file or EPIPE here rather than a hang.
static void close_other(int self) {
	int o = !self;
	if (fd_r[o] > 0 && fd_r[o] != fd_r[self] && fd_r[o] != fd_w[self]) close(fd_r[o]);
	if (fd_w[o] > 0 && fd_w[o] != fd_r[o] && fd_w[o] != fd_r[self] && fd_w[o] != fd_w[self]) close(fd_w[o]);
}

static void pin(int cpu) {
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof set, &set)) die("sched_setaffinity");
}

static int cmp64(const void *a, const void *b) {
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

// ping makes n round trips (the measuring end), storing each one's time in samples when given.
static void ping(char *b, long n, int64_t *samples) {
	int64_t prev = now_ns();
	for (long i = 0; i < n; i++) {
		seq_now = i;
		if (data) stamp(b, i);
		send_msg(b);
		recv_msg(b);
		check(b, i);
		if (samples) {
			int64_t t = now_ns();
			samples[i] = t - prev;
			prev = t;
		}
	}
}

// echo receives n messages and sends each back (the echoing end).
static void echo(char *b, long n) {
	for (long i = 0; i < n; i++) {
		seq_now = i;
		recv_msg(b);
		check(b, i);
		send_msg(b);
	}
}

int main(int argc, char **argv) {
	if (argc != 8) {
		fprintf(stderr, "usage: ipcbench MECH SIZE COUNT WARMUP CPU_MEASURING CPU_ECHOING STREAM\n");
		return 2;
	}
	mech = argv[1];
	size = atol(argv[2]);
	long count = atol(argv[3]), warm = atol(argv[4]);
	int cpu0 = atoi(argv[5]), cpu1 = atoi(argv[6]), stream = atoi(argv[7]);
	char name[64];
	snprintf(name, sizeof name, "/ipcbench-c-%d", getpid());
	snprintf(dir, sizeof dir, "/tmp/ipcbench-c-%d", getpid());
	// The payload starts a page, as ipcx bench's frame does (internal/bench newFrame): where a
	// buffer sits decides what the kernel's copy of it costs (a 4 KiB pipe round trip here: 11.3 us
	// at a page's start, 14.5 us 16 bytes in), and both harnesses must measure the same copy.
	long page = sysconf(_SC_PAGESIZE);
	size_t blen = (size + 16 + page - 1) / page * page;
	char *b = aligned_alloc(page, blen);
	if (!b) die("aligned_alloc");
	memset(b, 0, blen);
	send_msg = fd_send;
	recv_msg = fd_recv;

	if (!strcmp(mech, "pipe") || !strcmp(mech, "fifo")) {
		int p2c[2], c2p[2];
		if (!strcmp(mech, "pipe")) {
			if (pipe2(p2c, O_CLOEXEC) || pipe2(c2p, O_CLOEXEC)) die("pipe2");
		} else {
			char a[128], c[128];
			if (mkdir(dir, 0700)) die("mkdir");
			snprintf(a, sizeof a, "%s/p2c", dir);
			snprintf(c, sizeof c, "%s/c2p", dir);
			if (mkfifo(a, 0600) || mkfifo(c, 0600)) die("mkfifo");
			p2c[0] = open(a, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			p2c[1] = open(a, O_WRONLY | O_CLOEXEC);
			c2p[0] = open(c, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			c2p[1] = open(c, O_WRONLY | O_CLOEXEC);
			if (p2c[0] < 0 || p2c[1] < 0 || c2p[0] < 0 || c2p[1] < 0) die("open FIFO");
			fcntl(p2c[0], F_SETFL, 0);
			fcntl(c2p[0], F_SETFL, 0);
			unlink(a);
			unlink(c);
			rmdir(dir);
		}
		fd_r[0] = c2p[0]; fd_w[0] = p2c[1];
		fd_r[1] = p2c[0]; fd_w[1] = c2p[1];
	} else if (!strcmp(mech, "unix") || !strcmp(mech, "unix-dgram") || !strcmp(mech, "unix-seqpacket")) {
		if (mkdir(dir, 0700)) die("mkdir");
		sock_pair(AF_UNIX, !strcmp(mech, "unix") ? SOCK_STREAM : !strcmp(mech, "unix-dgram") ? SOCK_DGRAM : SOCK_SEQPACKET);
		rmdir(dir);
	} else if (!strcmp(mech, "tcp")) {
		sock_pair(AF_INET, SOCK_STREAM);
	} else if (!strcmp(mech, "tcp6")) {
		sock_pair(AF_INET6, SOCK_STREAM);
	} else if (!strcmp(mech, "udp")) {
		sock_pair(AF_INET, SOCK_DGRAM);
	} else if (!strcmp(mech, "sysv-mq")) {
		if ((msqid = msgget(IPC_PRIVATE, IPC_CREAT | IPC_EXCL | 0600)) < 0) die("msgget");
		// msg->text starts a page, as b does
		char *raw = aligned_alloc(page, (2 * page + size + page - 1) / page * page);
		if (!raw) die("aligned_alloc");
		msg = (void *)(raw + page - sizeof(long));
		send_msg = sysvmq_send;
		recv_msg = sysvmq_recv;
	} else if (!strcmp(mech, "posix-mq")) {
		long depth = 10;
		FILE *f = fopen("/proc/sys/fs/mqueue/msg_max", "r");
		long m;
		if (f && fscanf(f, "%ld", &m) == 1 && m > 0 && m < depth) depth = m;
		if (f) fclose(f);
		// As ipcx bench: shallower queues when RLIMIT_MSGQUEUE (one budget for all of the
		// user's queues) has no room for 10 messages each (EMFILE).
		for (;;) {
			struct mq_attr attr = {.mq_maxmsg = depth, .mq_msgsize = size};
			int i;
			for (i = 0; i < 2; i++) {
				char n[80];
				snprintf(n, sizeof n, "%s-%d", name, i);
				mq[i] = mq_open(n, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
				if (mq[i] == (mqd_t)-1) break;
				mq_unlink(n);
			}
			if (i == 2) break;
			if (errno != EMFILE || depth == 1) die("mq_open");
			if (i == 1) mq_close(mq[0]);
			depth--;
		}
		if (depth < 10) fprintf(stderr, "posix-mq: queues %ld messages deep (RLIMIT_MSGQUEUE)\n", depth);
		send_msg = posixmq_send;
		recv_msg = posixmq_recv;
	} else if (!strcmp(mech, "sysv-sem")) {
		if ((semid = semget(IPC_PRIVATE, 2, IPC_CREAT | IPC_EXCL | 0600)) < 0) die("semget");
		send_msg = sysvsem_send;
		recv_msg = sysvsem_recv;
		data = 0;
	} else if (!strcmp(mech, "posix-sem")) {
		for (int i = 0; i < 2; i++) {
			char n[80];
			snprintf(n, sizeof n, "%s-%d", name, i);
			if ((psem[i] = sem_open(n, O_CREAT | O_EXCL, 0600, 0)) == SEM_FAILED) die("sem_open");
			sem_unlink(n);
		}
		send_msg = posixsem_send;
		recv_msg = posixsem_recv;
		data = 0;
	} else if (!strcmp(mech, "shm")) {
		long slot = (size + 63) & ~63L, slots = (1 << 20) / slot;
		if (slots > 64) slots = 64;
		if (slots < 2) slots = 2;
		size_t total = 4096 + 2 * slots * slot;
		int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) die("shm_open");
		shm_unlink(name);
		if (ftruncate(fd, total)) die("ftruncate");
		char *mem = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (mem == MAP_FAILED) die("mmap");
		close(fd);
		for (int r = 0; r < 2; r++) {
			char *h = mem + r * 256;
			rings[r] = (struct ring){(uint32_t *)h, (uint32_t *)(h + 4), (uint32_t *)(h + 128), (uint32_t *)(h + 132),
				mem + 4096 + r * slots * slot, (uint32_t)slots, 0, 0, slot};
		}
		send_msg = shm_send;
		recv_msg = shm_recv;
	} else if (!strcmp(mech, "signal")) {
		sigemptyset(&sigs);
		sigaddset(&sigs, BENCH_SIGNAL);
		if (sigprocmask(SIG_BLOCK, &sigs, NULL)) die("sigprocmask");
		send_msg = signal_send;
		recv_msg = signal_recv;
		data = 0;
	} else if (!strcmp(mech, "eventfd")) {
		if ((efd[0] = eventfd(0, EFD_CLOEXEC)) < 0 || (efd[1] = eventfd(0, EFD_CLOEXEC)) < 0) die("eventfd");
		send_msg = eventfd_send;
		recv_msg = eventfd_recv;
		data = 0;
	} else {
		fprintf(stderr, "ipcbench: unknown mechanism %s\n", mech);
		return 2;
	}

	if (stream && (!data || !strcmp(mech, "udp"))) {
		fprintf(stderr, "ipcbench: %s: no stream (%s)\n", mech, data ? "datagrams may be lost" : "it carries no messages");
		return 2;
	}

	// The control pipes, outside the timed loops: the echoing end says when the warm-up stream
	// has arrived and what the timed stream took.
	int ctl[2];
	if (pipe(ctl)) die("pipe");
	alarm(300); // a run that hangs (the other end died in a semaphore wait) ends
	int64_t *samples = malloc(count * sizeof *samples);
	for (long i = 0; i < count; i++) samples[i] = 1; // fault the pages in before the clock runs
	pid_t parent = getpid();
	pid_t child = fork();
	if (child < 0) die("fork");
	if (child == 0) {
		is_parent = 0;
		peer = parent;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close_other(1);
		pin(cpu1);
		echo(b, warm);
		echo(b, count);
		if (stream) {
			int64_t r[2];
			for (long i = 0; i < warm; i++) { recv_msg(b); check(b, i); }
			r[0] = 0;
			if (write(ctl[1], r, 8) != 8) die("write ctl");
			int64_t first = 0;
			for (long i = 0; i < count; i++) {
				recv_msg(b);
				check(b, i);
				if (i == 0) first = now_ns();
			}
			r[0] = now_ns() - first;
			r[1] = count;
			if (write(ctl[1], r, sizeof r) != sizeof r) die("write ctl");
		}
		_exit(0);
	}
	is_parent = 1;
	peer = child;
	close_other(0);
	pin(cpu0);
	ping(b, warm, NULL);
	ping(b, count, samples);
	qsort(samples, count, sizeof *samples, cmp64);
	long rank = (count + 1) / 2; // ceil(0.5 * count)
	printf("p50_ns %lld\n", (long long)samples[rank - 1]);
	// the tail, by the same nearest-rank rule, to compare with ipcx bench's (not in the rows)
	long r99 = (99 * count + 99) / 100, r999 = (999 * count + 999) / 1000;
	printf("p99_ns %lld\np999_ns %lld\nmax_ns %lld\n", (long long)samples[r99 - 1], (long long)samples[r999 - 1], (long long)samples[count - 1]);
	if (stream) {
		int64_t r[2];
		for (long i = 0; i < warm; i++) { stamp(b, i); send_msg(b); }
		if (read(ctl[0], r, 8) != 8) die("read ctl");
		for (long i = 0; i < count; i++) { stamp(b, i); send_msg(b); }
		if (read(ctl[0], r, sizeof r) != sizeof r) die("read ctl");
		double rate = (double)(r[1] - 1) / ((double)r[0] / 1e9);
		printf("msgs_per_s %.1f\nbytes_per_s %.1f\n", rate, rate * size);
	}
	int st;
	waitpid(child, &st, 0);
	if (msqid >= 0) msgctl(msqid, IPC_RMID, NULL);
	if (semid >= 0) semctl(semid, 0, IPC_RMID);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
