#!/usr/bin/env bash
# Streams: BENCH_STREAM_SIZE bytes (default 4 GiB) of zeros through
#   pipe  ipcx pipe --progress -- head -- cat        vs  head | socat -u - - | cat
#   unix  ipcx sock send -> ipcx sock listen         vs  socat -> socat over a UNIX socket
#   tcp   the same over TCP loopback
#   pipe --progress  ipcx pipe with --progress       vs  the same without it (bound 1.1), and
#                    vs  head | pv -f | cat (pv: the classic progress meter for pipes; bound 1.0)
# each into wc -c, which checks that every byte arrived (and every process exited 0).
# The best of 3 runs each (the machine is shared), ipcx and socat in the same run. Bound: ipcx
# at least as fast as socat (ratio ipcx/socat <= 1); the goal is 1.5x faster (ratio <= 0.67),
# which splice(2) gives.
#
# Then relays at the kernel's limit (issue 14), the same producer (dd bs=1M from /dev/zero) and
# the same consumer (ccount: a C reader counting with 1 MiB reads, checked against the size sent)
# on both sides of every row, in paired runs judged by the median ratio of times:
#   relay unix  ipcx sock send -> ipcx sock listen  vs  crelay: C, splice(2) pipe->socket on one
#   relay tcp   the same over TCP loopback               side, socket->pipe on the other, its
#                                                        pipes grown to 1 MiB (F_SETPIPE_SZ)
#               bound 1.25 (at least 0.8x the C relay's throughput)
#   pipe 1 MiB  ipcx pipe --size 1M -- dd -- ccount     vs  cpipe: C making the same pipeline with
#               bound 1.11 (at least 0.9x)                  one 1 MiB pipe (pipe2, fork, exec)
# and, for scale, a raw C socketpair writer/reader (csockpair: 1 MiB writes and reads between two
# processes, no producer or consumer around them). BENCH_STREAMS=relay runs these rows only.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v socat >/dev/null || { echo "streams: socat is missing (apt-get install socat)" >&2; exit 1; }
command -v bc >/dev/null || { echo "streams: bc is missing (apt-get install bc)" >&2; exit 1; }
command -v pv >/dev/null || { apt-get update -qq && apt-get install -y -qq pv >/dev/null; }

# Alone, it runs as a group of scripts/bench, which builds ipcx and gives the helpers.
[ -n "${IPCX:-}" ] || exec scripts/bench streams
export STREAM_SIZE=${BENCH_STREAM_SIZE:-4294967296}
repeat=${BENCH_REPEAT:-3}

# Every run checks what arrived: the byte count at the receiving end must be STREAM_SIZE and
# every process must succeed. best_of times runs inside $(...), where a failure would go unseen,
# so a failed run also leaves its reason in $BENCH_TMP/streams.failed, checked after each
# measurement: a broken stream fails the benchmark loudly instead of timing how fast it broke.
fail() { echo "streams: $*" >> "$BENCH_TMP/streams.failed"; echo "streams: FAILED: $*" >&2; return 1; }
check() { # check NAME COUNTFILE STATUS...: the count file holds STREAM_SIZE, every status is 0
  local name=$1 file=$2 got; shift 2
  for st in "$@"; do [ "$st" = 0 ] || { fail "$name: a process exited $st (statuses: $*)"; return 1; }; done
  got=$(tr -d ' \n' < "$file")
  [ "$got" = "$STREAM_SIZE" ] || { fail "$name: received $got bytes, sent $STREAM_SIZE"; return 1; }
}
waitsock() { until [ -S "$1" ]; do sleep 0.01; done; }
waitport() { until "$IPCX" sock ls --tcp --listening | grep -q "127.0.0.1:$1 "; do sleep 0.01; done; }
# The receiving end counts with wc -c on both sides of every row, so the ratio stays fair.
pipe_ipcx() {
  "$IPCX" pipe --progress -- head -c "$STREAM_SIZE" /dev/zero -- cat 2>"$BENCH_TMP/progress" | wc -c > "$BENCH_TMP/count"
  check "pipe ipcx --progress" "$BENCH_TMP/count" "${PIPESTATUS[@]}"
}
pipe_ipcx_plain() {
  "$IPCX" pipe -- head -c "$STREAM_SIZE" /dev/zero -- cat | wc -c > "$BENCH_TMP/count"
  check "pipe ipcx" "$BENCH_TMP/count" "${PIPESTATUS[@]}"
}
pipe_pv() {
  head -c "$STREAM_SIZE" /dev/zero | pv -f 2>"$BENCH_TMP/progress" | cat | wc -c > "$BENCH_TMP/count"
  check "pipe pv" "$BENCH_TMP/count" "${PIPESTATUS[@]}"
}
pipe_socat() {
  head -c "$STREAM_SIZE" /dev/zero | socat -u - - | cat | wc -c > "$BENCH_TMP/count"
  check "pipe socat" "$BENCH_TMP/count" "${PIPESTATUS[@]}"
}
unix_ipcx() {
  rm -f "$BENCH_TMP/i.sock"
  { "$IPCX" sock listen --once "unix:$BENCH_TMP/i.sock" 2>/dev/null; echo $? > "$BENCH_TMP/lst"; } | wc -c > "$BENCH_TMP/count" &
  local pid=$!; waitsock "$BENCH_TMP/i.sock"
  head -c "$STREAM_SIZE" /dev/zero | "$IPCX" sock send "unix:$BENCH_TMP/i.sock"
  local st=("${PIPESTATUS[@]}")
  wait $pid
  check "unix ipcx" "$BENCH_TMP/count" "${st[@]}" "$(cat "$BENCH_TMP/lst")"
}
unix_socat() {
  rm -f "$BENCH_TMP/s.sock"
  { socat -u "UNIX-LISTEN:$BENCH_TMP/s.sock" -; echo $? > "$BENCH_TMP/lst"; } | wc -c > "$BENCH_TMP/count" &
  local pid=$!; waitsock "$BENCH_TMP/s.sock"
  head -c "$STREAM_SIZE" /dev/zero | socat -u - "UNIX-CONNECT:$BENCH_TMP/s.sock"
  local st=("${PIPESTATUS[@]}")
  wait $pid
  check "unix socat" "$BENCH_TMP/count" "${st[@]}" "$(cat "$BENCH_TMP/lst")"
}
freeport() { echo $(( 30000 + (RANDOM * 32768 + RANDOM) % 20000 )); }
tcp_ipcx() {
  local port; port=$(freeport)
  { "$IPCX" sock listen --once "tcp:127.0.0.1:$port" 2>/dev/null; echo $? > "$BENCH_TMP/lst"; } | wc -c > "$BENCH_TMP/count" &
  local pid=$!; waitport "$port"
  head -c "$STREAM_SIZE" /dev/zero | "$IPCX" sock send "tcp:127.0.0.1:$port"
  local st=("${PIPESTATUS[@]}")
  wait $pid
  check "tcp ipcx" "$BENCH_TMP/count" "${st[@]}" "$(cat "$BENCH_TMP/lst")"
}
tcp_socat() {
  local port; port=$(freeport)
  { socat -u "TCP4-LISTEN:$port,bind=127.0.0.1,reuseaddr" -; echo $? > "$BENCH_TMP/lst"; } | wc -c > "$BENCH_TMP/count" &
  local pid=$!; waitport "$port"
  head -c "$STREAM_SIZE" /dev/zero | socat -u - "TCP4:127.0.0.1:$port"
  local st=("${PIPESTATUS[@]}")
  wait $pid
  check "tcp socat" "$BENCH_TMP/count" "${st[@]}" "$(cat "$BENCH_TMP/lst")"
}
# The C peers of the relay rows.
cat > "$BENCH_TMP/crelay.c" <<'C'
/* crelay send ADDR | crelay listen ADDR: the limit of a socket relay. send splices its standard
 * input (a pipe) into a stream socket connected to ADDR, shuts down its side and waits for the
 * peer to close; listen accepts one connection on ADDR and splices it into its standard output
 * (a pipe). Both grow their pipe to 1 MiB first. ADDR: unix:PATH or tcp:IPV4:PORT. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
static socklen_t parse(const char *a, struct sockaddr_storage *ss) {
	memset(ss, 0, sizeof *ss);
	if (!strncmp(a, "unix:", 5)) {
		struct sockaddr_un *u = (struct sockaddr_un *)ss;
		u->sun_family = AF_UNIX;
		strncpy(u->sun_path, a + 5, sizeof u->sun_path - 1);
		return sizeof *u;
	}
	if (!strncmp(a, "tcp:", 4)) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		char host[64];
		const char *colon = strrchr(a + 4, ':');
		if (!colon || colon - (a + 4) >= (int)sizeof host) exit(2);
		memcpy(host, a + 4, colon - (a + 4));
		host[colon - (a + 4)] = 0;
		in->sin_family = AF_INET;
		in->sin_port = htons(atoi(colon + 1));
		if (inet_pton(AF_INET, host, &in->sin_addr) != 1) exit(2);
		return sizeof *in;
	}
	fprintf(stderr, "crelay: bad address %s\n", a);
	exit(2);
}
static void relay(int from, int to) {
	for (;;) {
		ssize_t n = splice(from, NULL, to, NULL, 1 << 20, SPLICE_F_MOVE | SPLICE_F_MORE);
		if (n < 0) { perror("crelay: splice"); exit(1); }
		if (n == 0) return;
	}
}
int main(int argc, char **argv) {
	struct sockaddr_storage ss;
	if (argc != 3) { fprintf(stderr, "usage: crelay send|listen ADDR\n"); return 2; }
	socklen_t len = parse(argv[2], &ss);
	int s = socket(ss.ss_family, SOCK_STREAM, 0);
	if (s < 0) { perror("crelay: socket"); return 1; }
	if (!strcmp(argv[1], "send")) {
		fcntl(0, F_SETPIPE_SZ, 1 << 20);
		if (connect(s, (struct sockaddr *)&ss, len)) { perror("crelay: connect"); return 1; }
		relay(0, s);
		shutdown(s, SHUT_WR);
		char b[256];
		while (read(s, b, sizeof b) > 0) {}
		return 0;
	}
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, (struct sockaddr *)&ss, len) || listen(s, 1)) { perror("crelay: listen"); return 1; }
	int c = accept(s, NULL, NULL);
	if (c < 0) { perror("crelay: accept"); return 1; }
	fcntl(1, F_SETPIPE_SZ, 1 << 20);
	relay(c, 1);
	close(c);
	if (ss.ss_family == AF_UNIX) unlink(argv[2] + 5);
	return 0;
}
C
cat > "$BENCH_TMP/ccount.c" <<'C'
/* ccount: reads standard input to its end with 1 MiB reads and prints the byte count. */
#include <stdio.h>
#include <unistd.h>
int main(void) {
	static char buf[1 << 20];
	long long total = 0;
	for (;;) {
		ssize_t n = read(0, buf, sizeof buf);
		if (n < 0) { perror("ccount: read"); return 1; }
		if (n == 0) break;
		total += n;
	}
	printf("%lld\n", total);
	return 0;
}
C
cat > "$BENCH_TMP/csockpair.c" <<'C'
/* csockpair BYTES: a writer and a reader process over socketpair(AF_UNIX, SOCK_STREAM), 1 MiB
 * writes and reads; prints the count the reader got. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
	static char buf[1 << 20];
	long long want = atoll(argv[1]), total = 0;
	int sv[2], st;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) { perror("csockpair: socketpair"); return 1; }
	pid_t pid = fork();
	if (pid == 0) {
		close(sv[0]);
		for (long long left = want; left > 0;) {
			ssize_t n = write(sv[1], buf, left < (long long)sizeof buf ? left : (long long)sizeof buf);
			if (n < 0) { perror("csockpair: write"); _exit(1); }
			left -= n;
		}
		_exit(0);
	}
	close(sv[1]);
	for (;;) {
		ssize_t n = read(sv[0], buf, sizeof buf);
		if (n < 0) { perror("csockpair: read"); return 1; }
		if (n == 0) break;
		total += n;
	}
	if (waitpid(pid, &st, 0) < 0 || st != 0) return 1;
	printf("%lld\n", total);
	return 0;
}
C
cat > "$BENCH_TMP/cpipe.c" <<'C'
/* cpipe SIZE PRODUCER... -- CONSUMER...: runs PRODUCER | CONSUMER joined by one pipe of SIZE
 * bytes (F_SETPIPE_SZ), waits for both; the exit status is that of set -o pipefail. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static int status(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); }
int main(int argc, char **argv) {
	int sep = 0, p[2], st1, st2;
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--")) { sep = i; break; }
	if (argc < 5 || !sep) { fprintf(stderr, "usage: cpipe SIZE PRODUCER... -- CONSUMER...\n"); return 2; }
	argv[sep] = NULL;
	if (pipe2(p, O_CLOEXEC)) { perror("cpipe: pipe2"); return 1; }
	if (fcntl(p[1], F_SETPIPE_SZ, atoi(argv[1])) < 0) { perror("cpipe: F_SETPIPE_SZ"); return 1; }
	pid_t a = fork();
	if (a == 0) { dup2(p[1], 1); execvp(argv[2], argv + 2); _exit(127); }
	pid_t b = fork();
	if (b == 0) { dup2(p[0], 0); execvp(argv[sep + 1], argv + sep + 1); _exit(127); }
	close(p[0]);
	close(p[1]);
	waitpid(a, &st1, 0);
	waitpid(b, &st2, 0);
	return status(st2) ? status(st2) : status(st1);
}
C
for c in crelay ccount csockpair cpipe; do gcc -O2 -Wall -o "$BENCH_TMP/$c" "$BENCH_TMP/$c.c"; done
# The producer of the relay rows: dd with 1 MiB blocks from /dev/zero (about twice as fast as any
# relay here), STREAM_SIZE bytes.
produce() { dd if=/dev/zero bs=1M count="$STREAM_SIZE" iflag=count_bytes status=none; }
relayaddr() { # relayaddr unix|tcp NAME: a fresh address
  if [ "$1" = unix ]; then rm -f "$BENCH_TMP/$2.sock"; echo "unix:$BENCH_TMP/$2.sock"; else echo "tcp:127.0.0.1:$(freeport)"; fi
}
waitaddr() { case $1 in unix:*) waitsock "${1#unix:}";; tcp:*) waitport "${1##*:}";; esac; }
# relay_run NAME KIND LISTEN SEND: LISTEN ADDR | ccount, and produce | SEND ADDR
relay_run() {
  local a; a=$(relayaddr "$2" "$1")
  { $3 "$a" 2>/dev/null; echo $? > "$BENCH_TMP/lst"; } | "$BENCH_TMP/ccount" > "$BENCH_TMP/count" &
  local pid=$!; waitaddr "$a"
  produce | $4 "$a"
  local st=("${PIPESTATUS[@]}")
  wait $pid
  check "$1 $2" "$BENCH_TMP/count" "${st[@]}" "$(cat "$BENCH_TMP/lst")"
}
relay_ipcx() { relay_run ipcx "$1" "$IPCX sock listen --once" "$IPCX sock send"; }
relay_c() { relay_run crelay "$1" "$BENCH_TMP/crelay listen" "$BENCH_TMP/crelay send"; }
pipe1m_ipcx() {
  "$IPCX" pipe --size 1M -- dd if=/dev/zero bs=1M count="$STREAM_SIZE" iflag=count_bytes status=none -- "$BENCH_TMP/ccount" > "$BENCH_TMP/count"
  check "pipe --size 1M ipcx" "$BENCH_TMP/count" $?
}
pipe1m_c() {
  "$BENCH_TMP/cpipe" 1048576 dd if=/dev/zero bs=1M count="$STREAM_SIZE" iflag=count_bytes status=none -- "$BENCH_TMP/ccount" > "$BENCH_TMP/count"
  check "pipe 1 MiB cpipe" "$BENCH_TMP/count" $?
}
sockpair_c() {
  "$BENCH_TMP/csockpair" "$STREAM_SIZE" > "$BENCH_TMP/count"
  check "csockpair" "$BENCH_TMP/count" $?
}
export -f produce relayaddr waitaddr relay_run relay_ipcx relay_c pipe1m_ipcx pipe1m_c sockpair_c
export -f fail check waitsock waitport freeport pipe_ipcx pipe_ipcx_plain pipe_pv pipe_socat unix_ipcx unix_socat tcp_ipcx tcp_socat

rm -f "$BENCH_TMP/streams.failed"
# stop the benchmark if any run failed
checkfailed() {
  if [ -e "$BENCH_TMP/streams.failed" ]; then
    echo "streams: a run failed, no timing reported:" >&2
    cat "$BENCH_TMP/streams.failed" >&2
    exit 1
  fi
}
# measure CMD: best_of, then checkfailed
measure() {
  local t
  t=$(best_of "$repeat" "$1")
  checkfailed
  echo "$t"
}

gib=$(echo "$STREAM_SIZE / 1073741824" | bc -l)
# BENCH_STREAMS=relay runs only the relay rows at the end.
if [ "${BENCH_STREAMS:-all}" != relay ]; then
for r in pipe unix tcp; do
  ti=$(measure ${r}_ipcx)
  ts=$(measure ${r}_socat)
  row "$(printf 'streams %s %.1f GiB' "$r" "$gib")" "$ti" "$ts" socat 1.0
  printf '    %.2f GiB/s vs %.2f GiB/s: ipcx %.2fx as fast as socat (goal 1.5x)\n' \
    "$(echo "$gib / $ti" | bc -l)" "$(echo "$gib / $ts" | bc -l)" "$(echo "$ts / $ti" | bc -l)"
done
# --progress must not slow the stream noticeably: ipcx pipe with it against without it, in pairs
# of runs, judged by the median of the pairs' ratios. Bound: at most 10% slower. And against pv,
# the classic progress meter for pipes, doing the same job (bound: as fast).
read -r tp tn rp <<<"$(paired "${BENCH_PROGRESS_REPEAT:-7}" pipe_ipcx pipe_ipcx_plain)"
checkfailed
row "$(printf 'streams pipe --progress %.1f GiB' "$gib")" "$tp" "$tn" "no-prog" 1.1 "$rp"
printf '    --progress costs %.1f%% (median of %d paired runs; best times %.2fs and %.2fs)\n' \
  "$(echo "($rp - 1) * 100" | bc -l)" "${BENCH_PROGRESS_REPEAT:-7}" "$tp" "$tn"
read -r tp tv rv <<<"$(paired "$repeat" pipe_ipcx pipe_pv)"
checkfailed
row "$(printf 'streams pipe --progress vs pv %.1f GiB' "$gib")" "$tp" "$tv" pv 1.0 "$rv"
fi
# Relays at the kernel's limit (issue 14), paired runs, median ratio of times.
rrepeat=${BENCH_RELAY_REPEAT:-5}
tsp=$(measure sockpair_c)
printf '    C socketpair writer/reader %.1f GiB: %.3fs, %.2f GiB/s (raw, for scale)\n' "$gib" "$tsp" "$(echo "$gib / $tsp" | bc -l)"
for k in unix tcp; do
  read -r ti tc r <<<"$(paired "$rrepeat" "relay_ipcx $k" "relay_c $k")"
  checkfailed
  row "$(printf 'relay %s %.1f GiB, send || listen' "$k" "$gib")" "$ti" "$tc" "C splice" 1.25 "$r"
  printf '    %.2f GiB/s vs %.2f GiB/s (best runs): ipcx at %.2fx the C relay (median of %d pairs; bound 0.8x); C relay at %.2fx a raw socketpair\n' \
    "$(echo "$gib / $ti" | bc -l)" "$(echo "$gib / $tc" | bc -l)" "$(echo "1 / $r" | bc -l)" "$rrepeat" "$(echo "$tsp / $tc" | bc -l)"
done
read -r ti tc r <<<"$(paired "$rrepeat" pipe1m_ipcx pipe1m_c)"
checkfailed
row "$(printf 'pipe --size 1M %.1f GiB, dd -- ccount' "$gib")" "$ti" "$tc" "C pipe" 1.11 "$r"
printf '    %.2f GiB/s vs %.2f GiB/s (best runs): ipcx at %.2fx the C pipeline (median of %d pairs; bound 0.9x)\n' \
  "$(echo "$gib / $ti" | bc -l)" "$(echo "$gib / $tc" | bc -l)" "$(echo "1 / $r" | bc -l)" "$rrepeat"
