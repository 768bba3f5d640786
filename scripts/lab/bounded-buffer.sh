#!/usr/bin/env bash
# The bounded buffer from the operating-systems lectures, with ipcx alone.
#
#   semaphores mutex = 1, empty = N, full = 0; a ring of N slots in shared memory, with in and out.
#
#   producer:                        consumer:
#     wait(empty); wait(mutex)         wait(full); wait(mutex)
#     ring[in % N] = item; in++        item = ring[out % N]; out++
#     post(mutex); post(full)          post(mutex); post(empty)
#
# Three producers make the items 1..ITEMS between them, three consumers take ITEMS/3 each and
# write down what they got; at the end every item must have arrived exactly once.
#
# The three semaphores are one System V set (0 = mutex, 1 = empty, 2 = full), so that each pair
# of waits and each pair of posts above is a single `ipcx sem op`: semop(2) does both at once or
# waits, which is at least as strong as doing them one after the other (and cannot deadlock, since
# a process never holds the mutex while waiting for empty or full). The ring is a POSIX shared
# memory object: `in` at offset 0, `out` at 16, slot i at 32 + 16*i, each a 16-digit decimal. Under
# the mutex a producer reads the ring and writes back `in` and the slot in one write; a consumer
# reads the ring and writes back `out`. So an item costs four ipcx runs on each side.
#
# Usage: bounded-buffer.sh [ITEMS [SLOTS]]   (defaults: 3000 items, 8 slots; ITEMS a multiple of 3)
# Needs ipcx on PATH (or IPCX=/path/to/ipcx). Exits 0 when every item arrived exactly once;
# removes the semaphores and the ring whatever happens.
set -euo pipefail

ITEMS=${1:-3000}
SLOTS=${2:-8}
IPCX=${IPCX:-ipcx}
P=3 C=3
if ((ITEMS % P != 0 || ITEMS % C != 0 || SLOTS < 1)); then
	echo "bounded-buffer: ITEMS must be a multiple of 3 and SLOTS at least 1" >&2
	exit 2
fi
# Tens of thousands of short ipcx runs: one OS thread each starts faster.
export GOMAXPROCS=1

ring=/bb-$$-ring
sem=
out=$(mktemp -d "${TMPDIR:-/tmp}/bounded-buffer.XXXXXX")
cleanup() {
	[ -z "$sem" ] || "$IPCX" sem rm "$sem" 2>/dev/null || true
	"$IPCX" shm rm "$ring" 2>/dev/null || true
	rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

MUTEX=0 EMPTY=1 FULL=2
sem=$("$IPCX" sem create private --nsems 3)
"$IPCX" sem set "$sem" 1 "$SLOTS" 0 # mutex = 1, empty = N, full = 0
"$IPCX" shm create "$ring" --size $((32 + 16 * SLOTS)) --exclusive >/dev/null
num() { printf '%016d' "$1"; }
init=
for ((k = 0; k < 2 + SLOTS; k++)); do init+=$(num 0); done
"$IPCX" shm write "$ring" "$init" # in = out = 0, empty slots 0 (text all the way: no NUL for the shell)

producer() { # producer P: makes the items P, P+3, P+6, …
	local item r i at
	for ((item = $1; item <= ITEMS; item += P)); do
		"$IPCX" sem op "$sem" $EMPTY:-1 $MUTEX:-1
		r=$("$IPCX" shm read "$ring")
		i=$((10#${r:0:16}))
		at=$((32 + 16 * (i % SLOTS)))
		# in+1, out as it is, the slots before ours as they are, then our item.
		"$IPCX" shm write "$ring" "$(num $((i + 1)))${r:16:at-16}$(num "$item")"
		"$IPCX" sem op "$sem" $MUTEX:+1 $FULL:+1
	done
}

consumer() { # consumer C: takes ITEMS/3 items, one line each in $out/consumer-C
	local n r o
	for ((n = 0; n < ITEMS / C; n++)); do
		"$IPCX" sem op "$sem" $FULL:-1 $MUTEX:-1
		r=$("$IPCX" shm read "$ring")
		o=$((10#${r:16:16}))
		"$IPCX" shm write "$ring" --offset 16 "$(num $((o + 1)))"
		"$IPCX" sem op "$sem" $MUTEX:+1 $EMPTY:+1
		r=${r:32 + 16 * (o % SLOTS):16}
		echo $((10#$r)) >>"$out/consumer-$1"
	done
}

pids=()
for ((c = 1; c <= C; c++)); do consumer $c & pids+=($!); done
for ((p = 1; p <= P; p++)); do producer $p & pids+=($!); done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
if ((status != 0)); then
	echo "bounded-buffer: a producer or consumer failed" >&2
	exit 1
fi

# Every item exactly once: the sorted list of what arrived is 1..ITEMS.
if ! diff <(sort -n "$out"/consumer-*) <(seq 1 "$ITEMS") >"$out/diff"; then
	echo "bounded-buffer: items lost or duplicated:" >&2
	head -20 "$out/diff" >&2
	exit 1
fi
echo "bounded-buffer: $ITEMS items from $P producers to $C consumers through $SLOTS slots, each exactly once"
