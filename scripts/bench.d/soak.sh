#!/usr/bin/env bash
# Soak: the "nothing lost" promise of `ipcx mq recv --follow` (see `ipcx mq recv --help`, NOTHING
# LOST) under random signals, with a bound. One row per flavor (POSIX /name, System V key) and kind
# of the receivers' standard output:
#   pipe  | a reader (odd slots slow: 20 ms per line, even slots as fast as bash reads)
#   file  > a regular file
#   sock  a UNIX stream socket: `ipcx sock listen --once --exec 'ipcx mq recv …'`, read by a
#         small Python client
#   fifo  > a FIFO with a reader
# 8 senders (`ipcx mq send`, 50 numbered messages "s3-000123" per run) and 8 receiver slots run
# for SOAK_SECONDS (default 60); every 0.1-0.4 s a random receiver gets SIGINT, SIGTERM or
# SIGKILL, or its reader is closed (it stops after the line it has written, with whatever is in
# flight left unread); slots restart their receiver as it dies. Then the senders stop, the
# receivers get SIGTERM, the queue is drained (--nonblock) and the multiset of messages is
# checked: every message sent is received exactly once, except what the help allows:
#   lost  at most one message per SIGKILL of a receiver (the one it holds);
#   dup   only with a socket: a message put back on SIGINT/SIGTERM may still be read by the peer,
#         at most one per such signal; none for the other kinds (pipe bytes are taken back out).
# A message that could not be put back is saved in $TMPDIR (the help says so): it counts as
# received. A line that was never sent, a receiver that hangs, or a failed sender fail the row.
# Everything runs in a private IPC + mount + pid namespace with fresh /dev/mqueue and /dev/shm;
# signals go only to pids this script started and tracks, checked against /proc/PID/cmdline.
#
#   scripts/bench soak                 as a group of scripts/bench
#   scripts/bench.d/soak.sh [ROW...]   alone (ROW like "posix pipe" is "posix-pipe")
#   SOAK_SECONDS=10 scripts/bench.d/soak.sh sysv-sock
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" = 0 ] || { echo "soak: must run as root (private namespaces)" >&2; exit 1; }
if [ -z "${SOAK_NS:-}" ]; then
  exec env SOAK_NS=1 unshare --ipc --mount --pid --fork --mount-proc --propagation private "$0" "$@"
fi
mkdir -p /dev/mqueue
mount -t mqueue mqueue /dev/mqueue
mount -t tmpfs -o size=256m tmpfs /dev/shm
if [ -z "${BENCH_TMP:-}" ]; then
  BENCH_TMP=$(mktemp -d)
  trap 'rm -rf "$BENCH_TMP"' EXIT
fi
if [ -z "${IPCX:-}" ]; then
  IPCX="$BENCH_TMP/ipcx"
  CGO_ENABLED=0 go build -o "$IPCX" ./cmd/ipcx
fi
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
  { echo "soak: python3 is missing (the socket reader)" >&2; exit 1; }
SECONDS_PER_ROW=${SOAK_SECONDS:-60}
SOAK=$BENCH_TMP/soak
mkdir -p "$SOAK"

# reader OUT CLOSEFLAG SLOW: copies lines from stdin to OUT, one write per line; stops after a
# line when CLOSEFLAG exists (leaving what is in flight unread), sleeps 20 ms per line when SLOW.
reader() {
  local l=''
  exec 3>"$1"
  while IFS= read -r l; do
    printf '%s\n' "$l" >&3
    l=''
    [ -e "$2" ] && return 0
    [ "$3" = 1 ] && sleep 0.02
  done
  [ -z "$l" ] || printf '%s\n' "$l" >&3
}
# The socket reader: connects to PATH (retrying while listen starts), writes what it receives to
# OUT, stops after a chunk when CLOSEFLAG exists; it closes with anything in flight unread.
cat > "$SOAK/sockreader.py" <<'PY'
import os, socket, sys, time
path, out, flag, slow = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
for _ in range(1000):
    try:
        s.connect(path)
        break
    except OSError:
        time.sleep(0.01)
else:
    sys.exit(1)
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
while True:
    b = s.recv(65536)
    if not b:
        break
    os.write(fd, b)
    if os.path.exists(flag):
        break
    if slow:
        time.sleep(0.02)
s.close()
PY

# is_receiver PID: PID is (still) an ipcx mq recv started by this script.
is_receiver() {
  local cmd
  cmd=$(tr '\0' ' ' 2>/dev/null < "/proc/$1/cmdline") || return 1
  [[ $cmd == "$IPCX mq recv --follow "* ]]
}

# slot I: runs receiver generations until $ROW/stop exists; each writes to $ROW/out.I.GEN, its
# pid to $ROW/cur.I ("GEN PID"), its exit status to $ROW/rc.I.GEN.
slot() {
  local i=$1 gen=0 out flag pidf rcf slow=$(($1 % 2)) pid rdp lp
  while [ ! -e "$ROW/stop" ] && [ $gen -lt 100000 ]; do
    gen=$((gen + 1))
    out=$ROW/out.$i.$gen flag=$ROW/close.$i.$gen pidf=$ROW/pid.$i.$gen rcf=$ROW/rc.$i.$gen
    case $KIND in
    file)
      ( sh -c 'echo $$ > "$0"; exec "$@"' "$pidf" "$IPCX" mq recv --follow "$Q" > "$out" 2>> "$ROW/err" &
        wait $!; echo $? > "$rcf" ) 2>/dev/null &
      ;;
    pipe)
      ( sh -c 'echo $$ > "$0"; exec "$@"' "$pidf" "$IPCX" mq recv --follow "$Q" >&4 4>&- 2>> "$ROW/err" &
        exec 4>&-; wait $!; echo $? > "$rcf" ) 4>&1 > /dev/null 2>/dev/null | reader "$out" "$flag" "$slow" &
      ;;
    fifo)
      mkfifo "$ROW/fifo.$i.$gen"
      reader "$out" "$flag" "$slow" < "$ROW/fifo.$i.$gen" &
      ( sh -c 'echo $$ > "$0"; exec "$@"' "$pidf" "$IPCX" mq recv --follow "$Q" > "$ROW/fifo.$i.$gen" 2>> "$ROW/err" &
        wait $!; echo $? > "$rcf" ) 2>/dev/null &
      ;;
    sock)
      # The receiver's status is its own: listen's --exec shell waits for it.
      "$IPCX" sock listen --once \
        --exec "'$IPCX' mq recv --follow '$Q' & echo \$! > '$pidf'; wait \$!; echo \$? > '$rcf'" \
        "unix:$ROW/s.$i.$gen" 2>> "$ROW/err" > /dev/null &
      "$PY" "$SOAK/sockreader.py" "$ROW/s.$i.$gen" "$out" "$flag" "$slow" &
      ;;
    esac
    for _ in $(seq 500); do [ -s "$pidf" ] && break; sleep 0.01; done
    if [ -s "$pidf" ]; then echo "$gen $(cat "$pidf")" > "$ROW/cur.$i.tmp"; mv "$ROW/cur.$i.tmp" "$ROW/cur.$i"; fi
    wait
    rm -f "$ROW/fifo.$i.$gen"
  done
}

# sender S: sends runs of 50 numbered messages until $ROW/senders-stop exists; a run that
# succeeded goes to $ROW/sent.S, one that failed (some of it may have been sent) to unsure.S.
sender() {
  local s=$1 n=0 k m args
  while [ ! -e "$ROW/senders-stop" ] && [ $n -lt 10000000 ]; do
    args=()
    for ((k = 0; k < 50; k++)); do n=$((n + 1)); printf -v m 's%d-%06d' "$s" "$n"; args+=("$m"); done
    if timeout 30 "$IPCX" mq send "$Q" "${args[@]}" 2>> "$ROW/send.err"; then
      printf '%s\n' "${args[@]}" >> "$ROW/sent.$s"
    else
      printf '%s\n' "${args[@]}" >> "$ROW/unsure.$s"
    fi
    sleep 0.05
  done
}

# killer END: until END (epoch seconds), every 0.1-0.4 s signals a random receiver or closes its
# reader; logs each event that reached a live receiver to $ROW/events.
killer() {
  local end=$1 n=0 i gen pid what
  local kinds=(INT TERM KILL CLOSE)
  [ "$KIND" = file ] && kinds=(INT TERM KILL)
  while [ "$(date +%s)" -lt "$end" ] && [ $n -lt 100000 ]; do
    n=$((n + 1))
    sleep "0.$((RANDOM % 4 + 1))"
    i=$((RANDOM % 8))
    read -r gen pid 2>/dev/null < "$ROW/cur.$i" || continue
    what=${kinds[RANDOM % ${#kinds[@]}]}
    is_receiver "$pid" || continue
    if [ "$what" = CLOSE ]; then
      touch "$ROW/close.$i.$gen"; echo CLOSE >> "$ROW/events"
    elif kill -s "$what" "$pid" 2>/dev/null; then
      echo "$what" >> "$ROW/events"
    fi
  done
}

count() { grep -c -x "$1" "$ROW/events" 2>/dev/null || true; }

# soak_row FLAVOR KIND: one row; prints it and returns 1 when the bound is broken.
soak_row() {
  local flavor=$1 kind=$2 end i s pids=() spids=() left hung=0 rc
  ROW=$SOAK/$flavor-$kind KIND=$kind
  rm -rf "$ROW"; mkdir -p "$ROW/tmp"; touch "$ROW/events" "$ROW/err" "$ROW/send.err"
  export TMPDIR=$ROW/tmp
  if [ "$flavor" = posix ]; then Q=/soak-$kind; else Q=0x50a$(printf '%05x' $((RANDOM))); fi
  "$IPCX" mq create "$Q" > /dev/null
  for i in 0 1 2 3 4 5 6 7; do slot "$i" & pids+=($!); done
  for s in 0 1 2 3 4 5 6 7; do sender "$s" & spids+=($!); done
  end=$(($(date +%s) + SECONDS_PER_ROW))
  killer "$end"
  touch "$ROW/senders-stop"
  wait "${spids[@]}" || true
  # Stop: no more generations; SIGTERM every live receiver until the slots are gone (20 s).
  touch "$ROW/stop"
  for _ in $(seq 100); do
    left=0
    for i in 0 1 2 3 4 5 6 7; do
      kill -0 "${pids[i]}" 2>/dev/null || continue
      left=1
      read -r _ pid 2>/dev/null < "$ROW/cur.$i" || continue
      is_receiver "$pid" && kill -TERM "$pid" 2>/dev/null && echo FINALTERM >> "$ROW/events"
    done
    [ $left = 0 ] && break
    sleep 0.2
  done
  for i in 0 1 2 3 4 5 6 7; do
    if kill -0 "${pids[i]}" 2>/dev/null; then
      hung=$((hung + 1))
      echo "soak $flavor $kind: slot $i hangs: $(ps -o pid,args --ppid "${pids[i]}" | tail -n +2 | tr '\n' ';')" >&2
      pkill_tree "${pids[i]}"
    fi
  done
  wait "${pids[@]}" 2>/dev/null || true
  rc=0
  timeout 60 "$IPCX" mq recv --nonblock --count 100000000 "$Q" > "$ROW/drain" 2>/dev/null || rc=$?
  [ $rc = 5 ] || echo "soak $flavor $kind: drain exited $rc (5 expected: empty)" >&2
  "$IPCX" mq rm "$Q"
  report "$flavor" "$kind" "$hung" "$rc"
}

# pkill_tree PID: SIGKILL PID's descendants and PID (all started by this script).
pkill_tree() {
  local c
  for c in $(ps -o pid= --ppid "$1"); do pkill_tree "$c"; done
  kill -KILL "$1" 2>/dev/null || true
}

report() {
  local flavor=$1 kind=$2 hung=$3 drainrc=$4 sent recvd saved lost dup foreign kills ints terms
  local finals closes allowed unsure bad=0 rcs unexpected
  cat "$ROW"/sent.* 2>/dev/null | sort > "$ROW/S"
  cat "$ROW"/unsure.* 2>/dev/null | sort > "$ROW/U"
  saved=$(cat "$ROW"/tmp/ipcx-putback-* 2>/dev/null | wc -l)
  cat "$ROW"/out.* "$ROW/drain" "$ROW"/tmp/ipcx-putback-* 2>/dev/null | sort > "$ROW/R"
  sent=$(wc -l < "$ROW/S"); unsure=$(wc -l < "$ROW/U"); recvd=$(wc -l < "$ROW/R")
  uniq "$ROW/R" > "$ROW/Ru"
  comm -23 "$ROW/S" "$ROW/Ru" > "$ROW/lost"
  lost=$(wc -l < "$ROW/lost")
  uniq -d -c "$ROW/R" > "$ROW/dup"
  dup=$(awk '{d += $1 - 1} END {print d + 0}' "$ROW/dup")
  sort -m "$ROW/S" "$ROW/U" | comm -13 - "$ROW/Ru" > "$ROW/foreign"
  foreign=$(wc -l < "$ROW/foreign")
  kills=$(count KILL); ints=$(count INT); terms=$(count TERM); finals=$(count FINALTERM); closes=$(count CLOSE)
  allowed=0
  [ "$kind" = sock ] && allowed=$((ints + terms + finals))
  rcs=$(cat "$ROW"/rc.* 2>/dev/null | sort -n | uniq -c | awk '{printf "%s%s×%s", (NR > 1 ? " " : ""), $2, $1}')
  unexpected=$(cat "$ROW"/rc.* 2>/dev/null | grep -c -v -x -E '0|130|137|141|143' || true)
  [ "$lost" -le "$kills" ] || bad=1
  [ "$dup" -le "$allowed" ] || bad=1
  [ "$foreign" = 0 ] && [ "$hung" = 0 ] && [ "$drainrc" = 5 ] && [ "$unsure" = 0 ] || bad=1
  printf 'soak %s %s: sent %d, received %d, lost %d (≤ %d SIGKILLs), dup %d (allowed %d): %s\n' \
    "$flavor" "$kind" "$sent" "$recvd" "$lost" "$kills" "$dup" "$allowed" "$([ $bad = 0 ] && echo ok || echo FAIL)"
  printf '  %ds; signals: INT %d, TERM %d (+%d at the end), KILL %d; readers closed %d; saved in $TMPDIR %d; receiver exits %s\n' \
    "$SECONDS_PER_ROW" "$ints" "$terms" "$finals" "$kills" "$closes" "$saved" "$rcs"
  [ "$unsure" = 0 ] || echo "  $unsure messages in failed sends: $(sort -u "$ROW"/send.err | head -3 | tr '\n' ';')"
  [ "$foreign" = 0 ] || echo "  $foreign lines never sent, like: $(head -3 "$ROW/foreign" | tr '\n' ' ')"
  [ "$lost" = 0 ] || echo "  lost, like: $(head -5 "$ROW/lost" | tr '\n' ' ')"
  [ "$dup" = 0 ] || echo "  duplicated, like: $(head -5 "$ROW/dup" | awk '{printf "%s×%s ", $2, $1}')"
  [ "$unexpected" = 0 ] || echo "  $unexpected receivers exited otherwise; their errors: $(sort "$ROW/err" | uniq -c | sort -rn | head -5 | tr '\n' ';')"
  return $bad
}

rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=(posix-pipe posix-file posix-sock posix-fifo sysv-pipe sysv-file sysv-sock sysv-fifo)
status=0
for r in "${rows[@]}"; do
  soak_row "${r%%-*}" "${r#*-}" || status=1
done
left=$("$IPCX" ls | tail -n +2)
[ -z "$left" ] || { echo "soak: objects left behind:"; echo "$left"; status=1; } >&2
exit $status
