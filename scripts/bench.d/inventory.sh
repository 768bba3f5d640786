#!/usr/bin/env bash
# Benchmark for ipcx ls: with 10,000 System V queues, 10,000 System V segments and 1,000 POSIX
# queues present, `ipcx ls --json > /dev/null` against, in the same run,
#   ipcs -a > /dev/null                                (limit: ratio 1.0)
#   lsipc -q -J; lsipc -m -J; lsipc -s -J > /dev/null  (limit: ratio 0.5)
# Best of three for each, interleaved. The objects live in a private IPC and mount namespace made
# for the run (unshare, root), whose msgmni and shmmni are raised there only: the host's limits
# and objects are never touched. Prints one "ratio" line per peer; exits 1 when one is over.
# Run from the repository root (scripts/bench does, with IPCX set to a build of ipcx and its row
# function for the report); alone it builds ipcx itself and prints its own ratio lines.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" != 0 ]; then
	echo "inventory.sh: needs root for a private IPC namespace (unshare --ipc)" >&2
	exit 1
fi
for t in gcc ipcs lsipc unshare; do
	command -v "$t" >/dev/null || { echo "inventory.sh: $t is needed (scripts/test installs it)" >&2; exit 1; }
done

if [ "${IPCX_BENCH_INNER:-}" != 1 ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/ipcx-bench-inventory.XXXXXX")
	trap 'rm -rf "$work"' EXIT INT TERM
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
#include <sys/shm.h>

/* make NMSG NSHM NMQ: that many System V queues and 4 KiB segments (IPC_PRIVATE) and POSIX queues */
int main(int argc, char **argv) {
	int nmsg = atoi(argv[1]), nshm = atoi(argv[2]), nmq = atoi(argv[3]);
	for (int i = 0; i < nmsg; i++)
		if (msgget(IPC_PRIVATE, IPC_CREAT | 0600) < 0) { perror("msgget"); return 1; }
	for (int i = 0; i < nshm; i++)
		if (shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600) < 0) { perror("shmget"); return 1; }
	struct mq_attr attr = { .mq_maxmsg = 1, .mq_msgsize = 64 };
	char name[64];
	for (int i = 0; i < nmq; i++) {
		snprintf(name, sizeof name, "/bench-%d", i);
		mqd_t q = mq_open(name, O_CREAT | O_RDWR, 0600, &attr);
		if (q == (mqd_t)-1) { perror("mq_open"); return 1; }
		mq_close(q);
	}
	return 0;
}
C
	gcc -O2 -o "$work/make" "$work/make.c" -lrt
	# Not exec: the trap removes $work afterwards.
	IPCX_BENCH_INNER=1 IPCX_BENCH_WORK="$work" unshare --ipc --mount --propagation private bash "$0"
	exit $?
fi

# --- inside the private namespace -------------------------------------------------------------
work=$IPCX_BENCH_WORK
mount -t tmpfs tmpfs /dev/shm
mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue
echo 32000 > /proc/sys/kernel/msgmni
echo 32768 > /proc/sys/kernel/shmmni
echo 2000 > /proc/sys/fs/mqueue/queues_max
nmsg=${IPCX_BENCH_NMSG:-10000} nshm=${IPCX_BENCH_NSHM:-10000} nmq=${IPCX_BENCH_NMQ:-1000}
"$work/make" "$nmsg" "$nshm" "$nmq"

# ms CMD...: wall time of one run in milliseconds.
ms() {
	a=$(date +%s%N)
	"$@" >/dev/null
	b=$(date +%s%N)
	echo $(((b - a) / 1000000))
}
lsipc_all() { lsipc -q -J && lsipc -m -J && lsipc -s -J; }

# Check the listing is complete before timing it.
n=$("$work/ipcx" ls --json | grep -c '"kind"')
want=$((nmsg + nshm + nmq))
if [ "$n" -ne "$want" ]; then
	echo "inventory.sh: ipcx ls listed $n objects, want $want" >&2
	exit 1
fi

best_x= best_i= best_l=
for round in 1 2 3; do
	x=$(ms "$work/ipcx" ls --json)
	i=$(ms ipcs -a)
	l=$(ms lsipc_all)
	[ -z "$best_x" ] || [ "$x" -lt "$best_x" ] && best_x=$x
	[ -z "$best_i" ] || [ "$i" -lt "$best_i" ] && best_i=$i
	[ -z "$best_l" ] || [ "$l" -lt "$best_l" ] && best_l=$l
done

fail=0
if declare -F row >/dev/null; then
	# scripts/bench's report format (seconds).
	row "ls --json, $want objects, vs ipcs -a" "$(echo "$best_x / 1000" | bc -l)" "$(echo "$best_i / 1000" | bc -l)" "ipcs" 1.0
	row "ls --json, $want objects, vs lsipc -q/-m/-s -J" "$(echo "$best_x / 1000" | bc -l)" "$(echo "$best_l / 1000" | bc -l)" "lsipc" 0.5
fi
ratio() {
	awk -v n="$1" -v a="$2" -v b="$3" -v lim="$4" -v p="$5" -v objs="$want" 'BEGIN {
		if (b < 1) b = 1
		r = a / b
		printf "ratio %s %.2f (ipcx ls --json %d ms, %s %d ms, %d objects, limit %.1f)%s\n", n, r, a, p, b, objs, lim, (r > lim ? " OVER" : "")
		exit (r > lim)
	}' || fail=1
}
ratio ls-vs-ipcs "$best_x" "$best_i" 1.0 "ipcs -a"
ratio ls-vs-lsipc "$best_x" "$best_l" 0.5 "lsipc -q/-m/-s -J"
exit $fail
