#!/bin/sh
# Benchmarks for ipcx sem and shm, each as a ratio against a peer measured in the same run:
#   sem: 100,000 post+wait pairs through internal/posix against glibc's sem_post/sem_wait in C
#        (limit 1.5x);
#   shm: ipcx shm write + ipcx shm read of a 1 GiB POSIX segment from and to files against dd
#        with bs=1M into and out of a file in /dev/shm (limit 1.2x).
# Prints one "ratio" line per benchmark; exits 1 when a ratio is over its limit.
# Run from the repository root (scripts/bench does); IPCX_BENCH_SIZE overrides the 1 GiB (bytes).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ipcx-bench-semshm.XXXXXX")
shmname=ipcx-bench-$$
cleanup() {
	rm -rf "$work"
	rm -f "/dev/shm/$shmname" "/dev/shm/$shmname.dd" /dev/shm/sem.ipcx-bench-csem-$$
}
trap cleanup EXIT INT TERM

pairs=100000
size=${IPCX_BENCH_SIZE:-1073741824}
fail=0

# ratio NAME IPCX PEER LIMIT UNIT PEERNAME
ratio() {
	awk -v n="$1" -v a="$2" -v b="$3" -v lim="$4" -v u="$5" -v p="$6" 'BEGIN {
		r = a / b
		printf "ratio %s %.2f (ipcx %.3g %s, %s %.3g %s, limit %.1f)%s\n", n, r, a, u, p, b, u, lim, (r > lim ? " OVER" : "")
		exit (r > lim)
	}' || fail=1
}

# --- sem: post/wait pairs -------------------------------------------------------------------
cat >"$work/sem_loop.c" <<'C'
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* sem_loop NAME PAIRS: sem_post + sem_wait PAIRS times on a fresh named semaphore; prints ns/pair */
int main(int argc, char **argv) {
	long n = atol(argv[2]);
	sem_unlink(argv[1]);
	sem_t *s = sem_open(argv[1], O_CREAT | O_EXCL, 0600, 0);
	if (s == SEM_FAILED) { perror("sem_open"); return 1; }
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		if (sem_post(s) != 0 || sem_wait(s) != 0) { perror("sem"); return 1; }
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	sem_unlink(argv[1]);
	printf("%.3f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
C
gcc -O2 -o "$work/sem_loop" "$work/sem_loop.c" -pthread
# Best of three for each side, interleaved, so a busy neighbour does not decide the ratio.
cbest= gobest=
for _ in 1 2 3; do
	c=$("$work/sem_loop" /ipcx-bench-csem-$$ $pairs)
	g=$(cd "$root" && go test -run '^$' -bench '^BenchmarkSemPostWait$' -benchtime ${pairs}x ./internal/posix/ |
		awk '/^BenchmarkSemPostWait/ { print $3 }')
	cbest=$(echo "$c ${cbest:-$c}" | awk '{ print ($1 < $2 ? $1 : $2) }')
	gobest=$(echo "$g ${gobest:-$g}" | awk '{ print ($1 < $2 ? $1 : $2) }')
done
ratio sem-post-wait "$gobest" "$cbest" 1.5 ns/pair "C sem_post/sem_wait"

# --- shm: 1 GiB write and read -----------------------------------------------------------------
(cd "$root" && CGO_ENABLED=0 go build -o "$work/ipcx" ./cmd/ipcx)
head -c "$size" /dev/urandom >"$work/in"
now() { date +%s.%N; }
ibest= dbest=
for _ in 1 2 3; do
	rm -f "$work/out" "/dev/shm/$shmname.dd"
	t0=$(now)
	dd if="$work/in" of="/dev/shm/$shmname.dd" bs=1M status=none
	dd if="/dev/shm/$shmname.dd" of="$work/out" bs=1M status=none
	t1=$(now)
	rm -f "$work/out" "/dev/shm/$shmname.dd"
	"$work/ipcx" shm create "/$shmname" --size "$size" --exclusive >/dev/null
	t2=$(now)
	"$work/ipcx" shm write "/$shmname" <"$work/in"
	"$work/ipcx" shm read "/$shmname" >"$work/out"
	t3=$(now)
	"$work/ipcx" shm rm "/$shmname"
	cmp -s "$work/in" "$work/out" || { echo "semshm: ipcx shm read returned other bytes than were written" >&2; exit 1; }
	d=$(echo "$t0 $t1" | awk '{ print $2 - $1 }')
	i=$(echo "$t2 $t3" | awk '{ print $2 - $1 }')
	dbest=$(echo "$d ${dbest:-$d}" | awk '{ print ($1 < $2 ? $1 : $2) }')
	ibest=$(echo "$i ${ibest:-$i}" | awk '{ print ($1 < $2 ? $1 : $2) }')
done
ratio shm-write-read-1GiB "$ibest" "$dbest" 1.2 s "dd bs=1M"

exit $fail
