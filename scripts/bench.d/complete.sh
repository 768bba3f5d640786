#!/usr/bin/env bash
# Benchmark for live completion (issue 16): with 10,000 POSIX queues and 10,000 System V queues
# present, and /jobs among them,
#   ipcx __complete mq send /j     (what Tab runs for `ipcx mq send /j<Tab>`)  bound: 50 ms
#   ipcx __complete mq send id:    against ipcs -q listing the same 10,000 System V queues:
#                                  completing them all is no slower than ipcs (ratio 1.0)
# Best of five for each, interleaved with its peer. The objects live in a private IPC and mount
# namespace made for the run (unshare, root), whose limits are raised there only. Each user's
# RLIMIT_MSGQUEUE holds a few thousand queues, so the POSIX queues are made by uids 1, 2, 3 in
# turn. Run from the repository root (scripts/bench does, with IPCX and its row function); alone
# it builds ipcx itself. Exits 1 when a row is over its bound.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" != 0 ]; then
	echo "complete.sh: needs root for a private IPC namespace (unshare --ipc)" >&2
	exit 1
fi
for t in gcc ipcs unshare; do
	command -v "$t" >/dev/null || { echo "complete.sh: $t is needed (scripts/test installs it)" >&2; exit 1; }
done

if [ "${IPCX_BENCH_INNER:-}" != 1 ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/ipcx-bench-complete.XXXXXX")
	trap 'rm -rf "$work"' EXIT INT TERM
	chmod 755 "$work"
	if [ -n "${IPCX:-}" ]; then
		cp "$IPCX" "$work/ipcx"
	else
		(cd "$root" && CGO_ENABLED=0 go build -o "$work/ipcx" ./cmd/ipcx)
	fi
	cat >"$work/make.c" <<'C'
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

/* make NMSG NMQ: NMSG System V queues (IPC_PRIVATE) and NMQ POSIX queues /q-00000 ..., made
   4000 at a time by uids 1, 2, 3, ... (each user's RLIMIT_MSGQUEUE holds a few thousand; root's is
   left to whatever else runs as root). */
int main(int argc, char **argv) {
	int nmsg = atoi(argv[1]), nmq = atoi(argv[2]), per = 4000;
	for (int i = 0; i < nmsg; i++)
		if (msgget(IPC_PRIVATE, IPC_CREAT | 0600) < 0) { perror("msgget"); return 1; }
	for (int first = 0, uid = 1; first < nmq; first += per, uid++) {
		pid_t p = fork();
		if (p < 0) { perror("fork"); return 1; }
		if (p == 0) {
			if (setuid(uid)) { perror("setuid"); _exit(1); }
			struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 1 };
			char name[64];
			for (int i = first; i < nmq && i < first + per; i++) {
				snprintf(name, sizeof name, "/q-%05d", i);
				mqd_t q = mq_open(name, O_CREAT | O_RDWR, 0600, &attr);
				if (q == (mqd_t)-1) { perror("mq_open"); _exit(1); }
				mq_close(q);
			}
			_exit(0);
		}
		int st;
		if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return 1;
	}
	return 0;
}
C
	gcc -O2 -o "$work/make" "$work/make.c" -lrt
	IPCX_BENCH_INNER=1 IPCX_BENCH_WORK="$work" unshare --ipc --mount --propagation private bash "$0"
	exit $?
fi

# --- inside the private namespace -------------------------------------------------------------
work=$IPCX_BENCH_WORK
mount -t tmpfs tmpfs /dev/shm
mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue
echo 32000 > /proc/sys/kernel/msgmni
echo 32768 > /proc/sys/fs/mqueue/queues_max
nmsg=${IPCX_BENCH_NMSG:-10000} nmq=${IPCX_BENCH_NMQ:-10000}
"$work/make" "$nmsg" "$nmq"
"$work/ipcx" mq create /jobs --maxmsg 1 --msgsize 16 >/dev/null

# Check what is timed before timing it: /j completes /jobs alone, id: every System V queue.
got=$("$work/ipcx" __complete mq send /j 2>/dev/null | cut -f1 | tr '\n' ' ')
if [ "$got" != "/jobs :4 " ]; then
	echo "complete.sh: __complete mq send /j printed \"$got\", want /jobs and :4" >&2
	exit 1
fi
n=$("$work/ipcx" __complete mq send id: 2>/dev/null | grep -c '^id:')
if [ "$n" -ne "$nmsg" ]; then
	echo "complete.sh: __complete mq send id: offered $n ids, want $nmsg" >&2
	exit 1
fi

# us CMD...: wall time of one run in microseconds.
us() {
	local a b
	a=$(date +%s%N)
	"$@" >/dev/null 2>&1
	b=$(date +%s%N)
	echo $(((b - a) / 1000))
}
min() { [ -z "$1" ] || [ "$2" -lt "$1" ] && echo "$2" || echo "$1"; }

best_j= best_id= best_ipcs=
for round in 1 2 3 4 5; do
	best_j=$(min "$best_j" "$(us "$work/ipcx" __complete mq send /j)")
	best_id=$(min "$best_id" "$(us "$work/ipcx" __complete mq send id:)")
	best_ipcs=$(min "$best_ipcs" "$(us ipcs -q)")
done

fail=0
secs() { echo "$1 / 1000000" | bc -l; }
if declare -F row >/dev/null; then
	row "__complete mq send /j, $((nmq + nmsg)) queues" "$(secs "$best_j")" 0.050 "50ms" 1.0
	row "__complete mq send id:, vs ipcs -q" "$(secs "$best_id")" "$(secs "$best_ipcs")" "ipcs" 1.0
fi
check() {
	awk -v n="$1" -v a="$2" -v b="$3" -v lim="$4" -v p="$5" 'BEGIN {
		r = a / b
		printf "ratio %s %.2f (ipcx %.1f ms, %s %.1f ms, limit %.1f)%s\n", n, r, a / 1000, p, b / 1000, lim, (r > lim ? " OVER" : "")
		exit (r > lim)
	}' || fail=1
}
check complete-prefix "$best_j" 50000 1.0 "budget"
check complete-ids-vs-ipcs "$best_id" "$best_ipcs" 1.0 "ipcs -q"
exit $fail
