#!/usr/bin/env bash
# The cost of --progress (issue 16): each long transfer with --progress=always (the live line
# drawn every second, standard error to a file so the drawing is included) against the same
# command without --progress, on a fast stream of BENCH_PROGRESS_SIZE bytes (default 1 GiB) or
# BENCH_PROGRESS_MSGS messages (default 100,000 of 32 bytes). Paired runs (A and B back to back,
# alternating which goes first), the median of the ratios. Bound 1.05: at most 5% of the
# throughput.
#
# ipcx pipe is the exception: without --progress it puts no relay between the commands at all,
# and the relay's own cost is scripts/bench.d/streams.sh's row (bound 1.1). Here its row compares
# --progress=always with --progress on a file (the relay and the counting, no live line): the
# cost of the display itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -n "${IPCX:-}" ] || exec scripts/bench progress
export SIZE=${BENCH_PROGRESS_SIZE:-1073741824}
export MSGS=${BENCH_PROGRESS_MSGS:-100000}
export SHM_SIZE=${BENCH_PROGRESS_SHM:-268435456}
repeat=${BENCH_REPEAT:-7}
cd "$BENCH_TMP"

# Every run checks what arrived; a failed run leaves its reason in progress.failed, checked after
# each row, so that a broken stream fails the benchmark instead of timing how fast it broke.
fail() { echo "progress: $*" >> "$BENCH_TMP/progress.failed"; echo "progress: FAILED: $*" >&2; return 1; }
check() { # check NAME WANT COUNTFILE: the count file holds WANT
  local got; got=$(tr -d ' \n' < "$3")
  [ "$got" = "$2" ] || fail "$1: received $got, want $2"
}
# listening, as /proc/net/unix says (the file appears at bind(2), before listen(2))
waitsock() { until awk -v p="$1" '$8 == p && $4 == "00010000" {f = 1} END {exit !f}' /proc/net/unix; do sleep 0.01; done; }
export -f fail check waitsock

# P is "" or "--progress=always"; each function takes it as $1.
pipe_run() {
  "$IPCX" pipe "${1:---progress}" -- head -c "$SIZE" /dev/zero -- cat 2>"$BENCH_TMP/err" | wc -c > "$BENCH_TMP/count"
  check "pipe $1" "$SIZE" "$BENCH_TMP/count"
}
fifo_run() {
  local f=$BENCH_TMP/f
  [ -p "$f" ] || mkfifo "$f"
  "$IPCX" fifo read $1 "$f" 2>"$BENCH_TMP/err.r" | wc -c > "$BENCH_TMP/count" &
  local pid=$!
  head -c "$SIZE" /dev/zero | "$IPCX" fifo write --raw $1 "$f" 2>"$BENCH_TMP/err.w"
  wait $pid
  check "fifo $1" "$SIZE" "$BENCH_TMP/count"
}
sock_send_run() {
  rm -f "$BENCH_TMP/s.sock"
  "$IPCX" sock listen --once $1 "unix:$BENCH_TMP/s.sock" 2>"$BENCH_TMP/err.l" | wc -c > "$BENCH_TMP/count" &
  local pid=$!
  waitsock "$BENCH_TMP/s.sock"
  head -c "$SIZE" /dev/zero | "$IPCX" sock send $1 "unix:$BENCH_TMP/s.sock" 2>"$BENCH_TMP/err.s"
  wait $pid
  check "sock send/listen $1" "$SIZE" "$BENCH_TMP/count"
}
sock_connect_run() {
  rm -f "$BENCH_TMP/e.sock"
  "$IPCX" sock listen --once --echo "unix:$BENCH_TMP/e.sock" 2>/dev/null &
  local pid=$!
  waitsock "$BENCH_TMP/e.sock"
  head -c "$SIZE" /dev/zero | "$IPCX" sock connect $1 "unix:$BENCH_TMP/e.sock" 2>"$BENCH_TMP/err.c" | wc -c > "$BENCH_TMP/count"
  wait $pid
  check "sock connect $1" "$SIZE" "$BENCH_TMP/count"
}
shm_write_run() {
  "$IPCX" shm write $1 /progress-bench < "$BENCH_TMP/shm.in" 2>"$BENCH_TMP/err"
}
shm_read_run() {
  "$IPCX" shm read $1 /progress-bench 2>"$BENCH_TMP/err" | wc -c > "$BENCH_TMP/count"
  check "shm read $1" "$SHM_SIZE" "$BENCH_TMP/count"
}
mq_run() {
  "$IPCX" mq recv --count "$MSGS" $1 /progress-bench 2>"$BENCH_TMP/err.r" | wc -l > "$BENCH_TMP/count" &
  local pid=$!
  "$IPCX" mq send $1 /progress-bench < "$BENCH_TMP/lines" 2>"$BENCH_TMP/err.s"
  wait $pid
  check "mq $1" "$MSGS" "$BENCH_TMP/count"
}
export -f pipe_run fifo_run sock_send_run sock_connect_run shm_write_run shm_read_run mq_run

head -c "$SHM_SIZE" /dev/zero > "$BENCH_TMP/shm.in"
"$IPCX" shm create /progress-bench --size "$SHM_SIZE" >/dev/null
awk -v n="$MSGS" 'BEGIN { for (i = 1; i <= n; i++) printf "%032d\n", i }' > "$BENCH_TMP/lines"
# a small queue: RLIMIT_MSGQUEUE is root's, shared by every namespace on the machine
"$IPCX" mq create /progress-bench --maxmsg 10 --msgsize 64 >/dev/null

one() { # one NAME FUNCTION
  local with without ratio
  read -r with without ratio < <(paired "$repeat" "$2 --progress=always" "$2 ''")
  [ ! -s "$BENCH_TMP/progress.failed" ] || { cat "$BENCH_TMP/progress.failed" >&2; exit 1; }
  row "$1" "$with" "$without" "no --progress" 1.05 "$ratio"
}
size=$(( SIZE >> 20 ))M
one "pipe --progress=always vs on a file, $size" pipe_run
one "fifo write --raw | fifo read, $size" fifo_run
one "sock send -> listen (unix), $size" sock_send_run
one "sock connect <-> listen --echo (unix), $size" sock_connect_run
one "shm write from a file, $(( SHM_SIZE >> 20 ))M" shm_write_run
one "shm read, $(( SHM_SIZE >> 20 ))M" shm_read_run
one "mq send | mq recv, $MSGS x 32 bytes" mq_run
"$IPCX" shm rm /progress-bench
"$IPCX" mq rm /progress-bench
