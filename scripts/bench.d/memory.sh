#!/usr/bin/env bash
# Memory: the peak resident set (VmHWM, as /usr/bin/time -f %M reports it) of
#   ls       ipcx ls --json with 21,000 objects (10,000 System V queues, 10,000 segments, 1,000
#            POSIX queues)                     vs  ipcs -a, and lsipc -q/-m/-s -J (the largest)
#   mq       ipcx mq recv --follow after 1,000,000 messages (System V, 32 bytes each, to a file)
#                                              vs  a C receiver doing the same (msgrcv + fwrite)
#   listen   ipcx sock listen --keep with 100 concurrent connections, each sending 4 MiB and
#            held open until all have sent     vs  socat UNIX-LISTEN:…,fork (a process per
#            connection: the sum of their proportional sets, Pss, at that moment)
# with a Go hello world built by the same toolchain as the floor any Go program pays (runtime,
# heap arenas, the binary's touched pages). Bounds, on the ratio ipcx/anchor, are in the rows
# and justified where they are set below. Every row checks its work: the listing's object count,
# the messages received, the bytes each listener wrote.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Alone, it runs as a group of scripts/bench, which builds ipcx and gives the helpers.
[ -n "${IPCX:-}" ] || exec scripts/bench memory
if [ "$(id -u)" != 0 ]; then
  echo "memory: needs root for a private IPC namespace with raised limits (unshare --ipc)" >&2
  exit 1
fi
for t in gcc ipcs lsipc socat unshare; do
  command -v "$t" >/dev/null || { echo "memory: $t is needed (scripts/test installs it)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
N=${BENCH_MEMORY_MESSAGES:-1000000}
CONNS=${BENCH_MEMORY_CONNS:-100}
PER=${BENCH_MEMORY_CONN_BYTES:-4194304}
cd "$BENCH_TMP"

# mrow NAME IPCX_KIB PEER_KIB PEER_NAME BOUND [KiB]: a result row in MiB (in KiB when the sixth
# argument says so), with the ratio ipcx/peer.
mrow() {
  local ratio ok unit=MiB div=1024
  [ "${6:-}" = KiB ] && unit=KiB div=1
  ratio=$(echo "$2 / $3" | bc -l)
  ok=$(echo "$ratio <= $5" | bc -l)
  printf '%-44s ipcx %6.1f %s  %-8s %6.1f %s  ratio %5.2f  (bound %s) %s\n' "$1" \
    "$(echo "$2 / $div" | bc -l)" "$unit" "$4" "$(echo "$3 / $div" | bc -l)" "$unit" "$ratio" "$5" \
    "$([ "$ok" = 1 ] && echo ok || echo OVER)"
}
# peak CMD...: the peak RSS of CMD in KiB (its output to /dev/null); CMD must succeed.
peak() {
  /usr/bin/time -f %M -o peak.txt "$@" > /dev/null || { echo "memory: $* failed" >&2; return 1; }
  tail -1 peak.txt
}
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

# hello-rss.go, hello-rss: short.sh's Go hello world is a module in the directory hello, in the
# same scratch directory when both groups run
cat > hello-rss.go <<'GO'
package main

import "fmt"

func main() { fmt.Println("hello") }
GO
(cd "$BENCH_TMP" && GOFLAGS= CGO_ENABLED=0 go build -o hello-rss hello-rss.go)
floor=$(peak ./hello-rss)
printf '    floor: a Go hello world %.1f MiB, ipcx --version %.1f MiB\n' \
  "$(echo "$floor / 1024" | bc -l)" "$(echo "$(peak "$IPCX" --version) / 1024" | bc -l)"

# --- mq recv --follow after N messages ---------------------------------------------------------
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "%032d\n", i }' > input
cat > csend.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>
/* csend ID < lines: one System V message (type 1) per line, without its newline */
int main(int argc, char **argv) {
	char *line = NULL; size_t cap = 0; ssize_t n;
	struct { long mtype; char text[8192]; } m = {1};
	int id = atoi(argv[1]);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		memcpy(m.text, line, n - 1);
		if (msgsnd(id, &m, n - 1, 0)) { perror("msgsnd"); return 1; }
	}
	return 0;
}
C
cat > crecv.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <sys/msg.h>
/* crecv ID COUNT: COUNT messages, each written out with a newline */
int main(int argc, char **argv) {
	static struct { long mtype; char text[8192]; } m;
	int id = atoi(argv[1]);
	long count = atol(argv[2]);
	for (long i = 0; i < count; i++) {
		ssize_t n = msgrcv(id, &m, sizeof m.text, 0, 0);
		if (n < 0) { perror("msgrcv"); return 1; }
		fwrite(m.text, 1, n, stdout); putchar('\n');
	}
	return 0;
}
C
gcc -O2 -o csend csend.c && gcc -O2 -o crecv crecv.c
q=$("$IPCX" mq create private)
id=${q#id:}
# the C receiver under time, the sender beside it
/usr/bin/time -f %M -o crecv.peak ./crecv "$id" "$N" > out.c & cr=$!
./csend "$id" < input
wait $cr
cpeak=$(tail -1 crecv.peak)
"$IPCX" mq recv --follow "$q" > out.ipcx 2>/dev/null & xr=$!
# the first N/10 messages, then the rest: the peak after each, in the same receiver (after N/10
# the heap has been collected many times: what grows after that is kept, not garbage)
first=$((N / 10))
lines() { until [ "$(wc -l < out.ipcx)" -ge "$1" ]; do sleep 0.05; done; }
head -n "$first" input | ./csend "$id"
lines "$first"
xfirst=$(hwm $xr)
tail -n +$((first + 1)) input | ./csend "$id"
lines "$N"
xpeak=$(hwm $xr)
kill -INT $xr
wait $xr || true
cmp -s out.c out.ipcx || { echo "memory: mq recv --follow wrote other messages than the C receiver" >&2; exit 1; }
"$IPCX" mq rm "$q"
# The receiver holds one message at a time: what it uses must not grow with the count. Against
# itself after N/10 messages, bound 1.1 (a receiver keeping 8 bytes a message would be 7 MiB
# over its peak at N/10). Against the C receiver (libc and a 4 KiB stdio buffer, ~1 MiB) the
# ratio is ipcx's start-up floor (ipcx --version, above: 7-8 MiB, issue 14 goal 1 works on it) plus
# what receiving adds: bound 10x, 1 MiB above that floor.
mrow "mq recv --follow, $N vs $first messages" "$xpeak" "$xfirst" "itself" 1.1
mrow "mq recv --follow, $N messages, vs C" "$xpeak" "$cpeak" "C recv" 10

# --- sock listen --keep with CONNS connections -------------------------------------------------
cat > cclients.c <<'C'
/* cclients N ADDR BYTES: opens N stream connections to ADDR (unix:PATH), sends BYTES on each
 * (in turns of 64 KiB), prints "ready" once all is sent with every connection still open, waits
 * for a line on standard input, then closes them all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int main(int argc, char **argv) {
	int n = atoi(argv[1]);
	long long bytes = atoll(argv[3]);
	struct sockaddr_un u = { .sun_family = AF_UNIX };
	strncpy(u.sun_path, argv[2] + 5, sizeof u.sun_path - 1);
	int *fd = calloc(n, sizeof *fd);
	long long *left = calloc(n, sizeof *left);
	for (int i = 0; i < n; i++) {
		fd[i] = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd[i] < 0 || connect(fd[i], (struct sockaddr *)&u, sizeof u)) { perror("cclients: connect"); return 1; }
		left[i] = bytes;
	}
	static char buf[64 << 10];
	memset(buf, 'x', sizeof buf);
	for (int busy = 1; busy;) {
		busy = 0;
		for (int i = 0; i < n; i++) {
			if (!left[i]) continue;
			ssize_t w = write(fd[i], buf, left[i] < (long long)sizeof buf ? left[i] : (long long)sizeof buf);
			if (w < 0) { perror("cclients: write"); return 1; }
			left[i] -= w;
			busy = 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	char line[16];
	if (!fgets(line, sizeof line, stdin)) {}
	for (int i = 0; i < n; i++) close(fd[i]);
	return 0;
}
C
gcc -O2 -Wall -o cclients cclients.c
# clients ADDR MEASURE: runs CONNS clients, waits for their ready, prints what MEASURE prints then, releases them
clients() {
  local a=$1 measure=$2 got
  rm -f ctl; mkfifo ctl
  ./cclients "$CONNS" "$a" "$PER" < ctl > ready & local cp=$!
  exec 7> ctl
  until grep -q ready ready 2>/dev/null; do sleep 0.05; done
  got=$($measure)
  exec 7>&-
  wait $cp
  echo "$got"
}
# settled FILE: the size of FILE once it stops growing (the listener has written all it got)
settled() { local a b; a=$(stat -c %s "$1"); while sleep 0.2; b=$(stat -c %s "$1"); [ "$a" != "$b" ]; do a=$b; done; echo "$a"; }
# listen_ipcx N: the peak RSS (KiB) of ipcx sock listen --keep serving N connections at once
listen_ipcx() {
  CONNS=$1; local want=$(($1 * PER)) lp xp
  rm -f x.sock
  "$IPCX" sock listen --keep --max-conns "$1" unix:"$BENCH_TMP/x.sock" > listen.ipcx 2>/dev/null & lp=$!
  until [ -S x.sock ]; do sleep 0.01; done
  clients "unix:$BENCH_TMP/x.sock" true > /dev/null
  [ "$(settled listen.ipcx)" = "$want" ] || { echo "memory: ipcx sock listen wrote $(stat -c %s listen.ipcx) bytes, want $want" >&2; exit 1; }
  xp=$(hwm $lp)
  kill -INT $lp
  wait $lp || true
  echo "$xp"
}
# socat's memory: the Pss of the listener and its children, summed, with every connection open
socatpss() {
  local pids t=0 p
  until [ "$(settled listen.socat)" = "$((CONNS * PER))" ]; do :; done
  pids="$sp $(ps -o pid= --ppid "$sp")"
  for p in $pids; do t=$((t + $(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup"))); done
  echo "$t $(echo $pids | wc -w)"
}
# listen_socat N: the Pss (KiB) of socat UNIX-LISTEN:…,fork serving N connections at once
listen_socat() {
  CONNS=$1; local spss sprocs
  rm -f s.sock
  socat -u UNIX-LISTEN:"$BENCH_TMP/s.sock",fork - > listen.socat 2>/dev/null & sp=$!
  until [ -S s.sock ]; do sleep 0.01; done
  read -r spss sprocs <<<"$(clients "unix:$BENCH_TMP/s.sock" socatpss)"
  kill $sp
  wait $sp || true
  [ "$sprocs" = $(($1 + 1)) ] || { echo "memory: socat ran $sprocs processes, want $(($1 + 1))" >&2; exit 1; }
  echo "$spss"
}
n=$CONNS
x1=$(listen_ipcx 1); xn=$(listen_ipcx "$n")
s1=$(listen_socat 1); sn=$(listen_socat "$n")
# socat forks a process per connection; ipcx serves them in one process, a goroutine and a
# socket each, with one buffer for all (before: 256 KiB each, 32 MiB at 100). What a connection
# costs, bound 0.5x what it costs socat; and the total at N connections, where ipcx's start-up
# floor (8 MiB with one connection, socat's 3 MiB) still counts: bound 1.25x socat.
printf '    one connection: ipcx %.1f MiB, socat %.1f MiB\n' "$(echo "$x1 / 1024" | bc -l)" "$(echo "$s1 / 1024" | bc -l)"
mrow "listen --keep, per connection of $n, vs socat" "$(((xn - x1) / (n - 1)))" "$(((sn - s1) / (n - 1)))" socat 0.5 KiB
mrow "listen --keep, $n connections, vs socat" "$xn" "$sn" socat 1.25

# --- ls --json with 21,000 objects, in a namespace of its own (limits raised there only) ------
cat > make.c <<'C'
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
		snprintf(name, sizeof name, "/mem-%d", i);
		mqd_t q = mq_open(name, O_CREAT | O_RDWR, 0600, &attr);
		if (q == (mqd_t)-1) { perror("mq_open"); return 1; }
		mq_close(q);
	}
	return 0;
}
C
gcc -O2 -o make make.c -lrt
cat > inventory.sh <<'SH'
set -euo pipefail
mount -t tmpfs tmpfs /dev/shm
mkdir -p /dev/mqueue && mount -t mqueue none /dev/mqueue
echo 32000 > /proc/sys/kernel/msgmni
echo 32768 > /proc/sys/kernel/shmmni
echo 2000 > /proc/sys/fs/mqueue/queues_max
./make 10000 10000 1000
n=$("$IPCX" ls --json | grep -c '"kind"')
[ "$n" = 21000 ] || { echo "memory: ipcx ls listed $n objects, want 21000" >&2; exit 1; }
best() { local b='' m; for _ in 1 2 3; do m=$(peak "$@"); if [ -z "$b" ] || [ "$m" -lt "$b" ]; then b=$m; fi; done; echo "$b"; }
echo "$(best "$IPCX" ls --json) $(best ipcs -a) $(best lsipc -q -J) $(best lsipc -m -J) $(best lsipc -s -J)"
SH
export -f peak
peaks=$(unshare --ipc --mount --propagation private bash inventory.sh) || { echo "memory: the 21,000 objects could not be made or listed" >&2; exit 1; }
read -r x i lq lm ls <<<"$peaks"
l=$lq; [ "$lm" -gt "$l" ] && l=$lm; [ "$ls" -gt "$l" ] && l=$ls
# ipcs prints each object as it reads it: its 3 MiB do not grow with the objects. lsipc, like
# ipcx, builds its whole table first (libsmartcols), ~0.4 KiB an object over a 3 MiB floor. ipcx
# holds 21,000 records with their holders, and lists without the garbage collector (cmd/ipcx
# ls.go: 0.10 s and 43 MiB; with the collector at a 24 MiB limit 0.14 s and 30 MiB, measured
# 2026-12-02), ~1.7 KiB an object over its 7-8 MiB floor. Bound 4x lsipc (47 MiB at 21,000
# objects); ipcs's ratio is shown for scale: meeting it would take a listing that streams.
mrow "ls --json, 21000 objects, vs lsipc -J" "$x" "$l" lsipc 4
printf '    vs ipcs -a: %.1f MiB, ratio %.2f (streams; no bound)\n' "$(echo "$i / 1024" | bc -l)" "$(echo "$x / $i" | bc -l)"
