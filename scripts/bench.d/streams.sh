#!/usr/bin/env bash
# Streams benchmark: a stream of BENCH_STREAM_SIZE bytes (default 4 GiB) of zeros through
#   pipe: ipcx pipe --progress -- head -- cat    vs  head | socat -u - - | cat
#   unix: ipcx sock send -> ipcx sock listen     vs  socat -> socat over a UNIX socket
#   tcp:  the same over TCP loopback
# Each row times ipcx and socat in the same run, the best of BENCH_REPEAT (default 3) runs each,
# alternating, and prints the ratio socat/ipcx (> 1: ipcx is faster). The machine is shared: the
# best run is the one least disturbed. Run by scripts/bench; alone: scripts/bench.d/streams.sh (IPCX=path to use a built binary).
set -euo pipefail
cd "$(dirname "$0")/../.."

size=${BENCH_STREAM_SIZE:-4294967296}
repeat=${BENCH_REPEAT:-3}
command -v socat >/dev/null || { echo "streams: socat is missing (apt-get install socat)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ipcx=${IPCX:-}
if [ -z "$ipcx" ]; then
  CGO_ENABLED=0 go build -o "$tmp/ipcx" ./cmd/ipcx
  ipcx=$tmp/ipcx
fi

now() { date +%s.%N; }
# elapsed CMD...: runs CMD and prints the seconds it took
elapsed() { local t0 t1; t0=$(now); "$@"; t1=$(now); echo "$t1 - $t0" | bc -l; }

waitsock() { until [ -S "$1" ]; do sleep 0.01; done; }
waitport() { until "$ipcx" sock ls --tcp --listening | grep -q "127.0.0.1:$1 "; do sleep 0.01; done; }

pipe_ipcx() { "$ipcx" pipe --progress -- head -c "$size" /dev/zero -- cat > /dev/null 2>"$tmp/progress"; }
pipe_socat() { head -c "$size" /dev/zero | socat -u - - | cat > /dev/null; }

unix_ipcx() {
  "$ipcx" sock listen --once "unix:$tmp/i.sock" > /dev/null 2>&1 &
  local pid=$!; waitsock "$tmp/i.sock"
  head -c "$size" /dev/zero | "$ipcx" sock send "unix:$tmp/i.sock"
  wait $pid
}
unix_socat() {
  socat -u "UNIX-LISTEN:$tmp/s.sock" - > /dev/null &
  local pid=$!; waitsock "$tmp/s.sock"
  head -c "$size" /dev/zero | socat -u - "UNIX-CONNECT:$tmp/s.sock"
  wait $pid
}
port=$(( 30000 + $$ % 20000 ))
tcp_ipcx() {
  port=$((port+1))
  "$ipcx" sock listen --once "tcp:127.0.0.1:$port" > /dev/null 2>&1 &
  local pid=$!; waitport $port
  head -c "$size" /dev/zero | "$ipcx" sock send "tcp:127.0.0.1:$port"
  wait $pid
}
tcp_socat() {
  port=$((port+1))
  socat -u "TCP4-LISTEN:$port,bind=127.0.0.1,reuseaddr" - > /dev/null &
  local pid=$!; waitport $port
  head -c "$size" /dev/zero | socat -u - "TCP4:127.0.0.1:$port"
  wait $pid
}

gib=$(echo "$size / 1073741824" | bc -l)
printf 'streams: %.2f GiB per row; ratio = socat time / ipcx time (goal >= 1.5)\n' "$gib"
min() { echo "if ($1 < $2) $1 else $2" | bc -l; }
for row in pipe unix tcp; do
  ti=1000000 ts=1000000
  for _ in $(seq "$repeat"); do
    ti=$(min "$ti" "$(elapsed ${row}_ipcx)")
    ts=$(min "$ts" "$(elapsed ${row}_socat)")
  done
  printf 'streams %-5s ipcx %6.2fs %6.2f GiB/s   socat %6.2fs %6.2f GiB/s   ratio %.2fx\n' \
    "$row" "$ti" "$(echo "$gib / $ti" | bc -l)" "$ts" "$(echo "$gib / $ts" | bc -l)" "$(echo "$ts / $ti" | bc -l)"
done
