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
