#!/usr/bin/env bash
# `ipcx bench` against C: for every mechanism, a C ping-pong of the same mechanism, message size,
# round trips, warm-up and placement (scripts/bench.d/ipcbench.c: fork, sched_setaffinity to
# CPUs 0 and 1, clock_gettime(CLOCK_MONOTONIC) per round trip, the protocol of internal/bench),
# against `ipcx bench --json --cpus 0,1 --size S --count N MECH`, in the same run.
#
#   latency rows:    ipcx's p50 / C's p50 (round trip, µs), bound 1.15, at 64 B and 4 KiB (one
#                    row for the mechanisms that carry no data or a fixed value: semaphores,
#                    signal, eventfd)
#   throughput rows: pipe, unix, sysv-mq, posix-mq streaming --size messages one way: ipcx's
#                    time per message / C's (= C's bytes/s / ipcx's), bound 1.15 (ipcx at least
#                    87% of C's rate)
#
# Every ratio is "ipcx / C, the lower the better, ok when <= bound", as in scripts/bench's row.
# Each pair runs IPCBENCH_R times (default 5), alternating which goes first; a row shows the best
# of each and the median of the per-pair ratios (a busy moment of the machine slows one pair, it
# does not decide the row). IPCBENCH_N round trips (default 20000), IPCBENCH_WARMUP (1000),
# IPCBENCH_MECHS (default: all, in ipcx bench's order). The four mechanisms with a stream row
# make IPCBENCH_STREAM_N round trips and messages (default 200000): 20,000 messages of 64 bytes
# through a pipe are 8 ms, too short a stream to time (runs of it varied from 0.73 to 1.42 of C).

set -euo pipefail
N=${IPCBENCH_N:-20000}
W=${IPCBENCH_WARMUP:-1000}
R=${IPCBENCH_R:-5}
SN=${IPCBENCH_STREAM_N:-200000}
BOUND=1.15
# POSIX queues count against RLIMIT_MSGQUEUE, one budget for all of a user's processes.
ulimit -q unlimited 2>/dev/null || true
command -v jq >/dev/null || { apt-get update -qq && apt-get install -y -qq jq >/dev/null; }
if [ "$(nproc)" -lt 2 ]; then
  echo "ipcbench: the rows pin the two ends to CPUs 0 and 1: this machine has $(nproc) CPU" >&2
  exit 1
fi
gcc -O2 -Wall -o "$BENCH_TMP/ipcbench" scripts/bench.d/ipcbench.c -lrt -lpthread
cd "$BENCH_TMP"

# median: the median of the numbers on stdin.
median() {
  sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
# ratio_row NAME UNIT IPCX C RATIO: a row as scripts/bench's row prints it, in UNIT.
ratio_row() {
  local ok
  ok=$(echo "$5 <= $BOUND" | bc -l)
  printf '%-42s ipcx %9.3f %-6s  C %9.3f %-6s  ratio %5.2f  (bound %s) %s\n' "$1" "$3" "$2" "$4" "$2" "$5" "$BOUND" \
    "$([ "$ok" = 1 ] && echo ok || echo OVER)"
}

# run_c MECH SIZE STREAM: prints "p50_ns [bytes_per_s]".
run_c() {
  local n=$N
  [ "$3" = 0 ] || n=$SN
  ./ipcbench "$1" "$2" "$n" "$W" 0 1 "$3" | awk '{v[$1] = $2} END {print v["p50_ns"], v["bytes_per_s"]}'
}
# run_ipcx MECH SIZE STREAM: prints "p50_ns bytes_per_s|- size cpu,cpu". SIZE 0 (semaphores)
# asks --size 64: ipcx measures them at 0 whatever it is asked, and says so.
run_ipcx() {
  local tp=() ask=$2 n=$SN
  [ "$3" = 1 ] || tp=(--throughput=false) n=$N
  [ "$ask" != 0 ] || ask=64
  "$IPCX" bench --json --cpus 0,1 --size "$ask" --count "$n" --warmup "$W" "${tp[@]}" "$1" |
    jq -r '.results[0] | "\(.latency.p50_ns | floor) \(.throughput.bytes_per_s // "" | if . == "" then "-" else floor end) \(.size) \(.placement.cpus | map(tostring) | join(","))"'
}

# try WHAT CMD...: runs CMD, up to 3 times when it fails (say why on stderr): a udp ping-pong
# waits 1 s for an answer and fails when a datagram is lost, which a loaded machine's loopback
# does now and then, to the C pair as to ipcx.
try() {
  local what=$1 i out
  shift
  for i in 1 2 3; do
    if out=$("$@"); then
      echo "$out"
      return 0
    fi
    echo "ipcbench: $what failed (try $i of 3)" >&2
  done
  return 1
}

for mech in ${IPCBENCH_MECHS:-pipe fifo unix unix-dgram unix-seqpacket tcp udp tcp6 sysv-mq posix-mq sysv-sem posix-sem shm signal eventfd}; do
  case $mech in
    sysv-sem | posix-sem) sizes=(0) ;;
    signal | eventfd) sizes=(8) ;;
    *) sizes=(64 4096) ;;
  esac
  case $mech in
    pipe | unix | sysv-mq | posix-mq) stream=1 ;;
    *) stream=0 ;;
  esac
  for size in "${sizes[@]}"; do
    lat_ratios=() thr_ratios=() best_c='' best_x='' bps_c='' bps_x=''
    for i in $(seq "$R"); do
      if [ $((i % 2)) = 1 ]; then
        c_out=$(try "C $mech $size" run_c "$mech" "$size" "$stream")
        x_out=$(try "ipcx $mech $size" run_ipcx "$mech" "$size" "$stream")
      else
        x_out=$(try "ipcx $mech $size" run_ipcx "$mech" "$size" "$stream")
        c_out=$(try "C $mech $size" run_c "$mech" "$size" "$stream")
      fi
      read -r c_p50 c_bps <<<"$c_out"
      read -r x_p50 x_bps x_size x_cpus <<<"$x_out"
      if [ "$x_size" != "$size" ] || [ "$x_cpus" != 0,1 ]; then
        echo "ipcbench: $mech: ipcx measured $x_size bytes on CPUs $x_cpus, the C pair $size bytes on 0,1" >&2
        exit 1
      fi
      lat_ratios+=("$(echo "$x_p50 / $c_p50" | bc -l)")
      if [ -z "$best_c" ] || [ "$(echo "$c_p50 < $best_c" | bc -l)" = 1 ]; then best_c=$c_p50; fi
      if [ -z "$best_x" ] || [ "$(echo "$x_p50 < $best_x" | bc -l)" = 1 ]; then best_x=$x_p50; fi
      if [ "$stream" = 1 ]; then
        thr_ratios+=("$(echo "$c_bps / $x_bps" | bc -l)")
        if [ -z "$bps_c" ] || [ "$(echo "$c_bps > $bps_c" | bc -l)" = 1 ]; then bps_c=$c_bps; fi
        if [ -z "$bps_x" ] || [ "$(echo "$x_bps > $bps_x" | bc -l)" = 1 ]; then bps_x=$x_bps; fi
      fi
    done
    label="$mech"
    [ "$size" = 0 ] || label="$mech $size B"
    ratio_row "$label: round trip p50" µs "$(echo "$best_x / 1000" | bc -l)" "$(echo "$best_c / 1000" | bc -l)" \
      "$(printf '%s\n' "${lat_ratios[@]}" | median)"
    if [ "$stream" = 1 ]; then
      # Time per message in ns (1e9 * size / bytes_per_s): ipcx / C is C's rate / ipcx's.
      ratio_row "$label: stream, time per message" ns "$(echo "1000000000 * $size / $bps_x" | bc -l)" \
        "$(echo "1000000000 * $size / $bps_c" | bc -l)" "$(printf '%s\n' "${thr_ratios[@]}" | median)"
    fi
  done
done
