#!/usr/bin/env bash
# The bounded buffer from the operating-systems lectures, with ipcx alone.
#
#   mutex = 1, empty = N, full = 0; a ring of N slots in shared memory plus the two indices.
#
#   producer:                       consumer:
#     wait(empty)                     wait(full)
#     wait(mutex)                     wait(mutex)
#     ring[in] = item; in++           item = ring[out]; out++
#     post(mutex)                     post(mutex)
#     post(full)                      post(empty)
#
# Three producers make the items 1..ITEMS between them, three consumers take ITEMS/3 each and
# write down what they got; at the end every item must have arrived exactly once.
#
# The semaphores are POSIX named semaphores (/bb-PID-mutex, …) and the ring a POSIX shared memory
# object (/bb-PID-ring): offset 0 holds `in`, offset 16 `out`, slot i starts at 32 + 16*i; numbers
# are written as 16 ASCII digits. Everything is removed on exit.
#
# Usage: bounded-buffer.sh [ITEMS [SLOTS]]     (defaults: 3000 items, 8 slots; ITEMS a multiple of 3)
# Needs ipcx on PATH (or IPCX=/path/to/ipcx). Exits 0 when every item arrived exactly once.
set -euo pipefail

ITEMS=${1:-3000}
SLOTS=${2:-8}
IPCX=${IPCX:-ipcx}
P=3 C=3
if (( ITEMS % P != 0 || ITEMS % C != 0 || SLOTS < 1 )); then
	echo "bounded-buffer: ITEMS must be a multiple of 3 and SLOTS at least 1" >&2
	exit 2
fi

pre=/bb-$$
mutex=$pre-mutex empty=$pre-empty full=$pre-full ring=$pre-ring
out=$(mktemp -d "${TMPDIR:-/tmp}/bounded-buffer.XXXXXX")
cleanup() {
	"$IPCX" sem rm "$mutex" "$empty" "$full" 2>/dev/null || true
	"$IPCX" shm rm "$ring" 2>/dev/null || true
	rm -rf "$out"
}
trap cleanup EXIT
trap 'kill 0' INT TERM

"$IPCX" sem create "$mutex" --value 1 --exclusive
"$IPCX" sem create "$empty" --value "$SLOTS" --exclusive
"$IPCX" sem create "$full" --value 0 --exclusive
"$IPCX" shm create "$ring" --size $((32 + 16 * SLOTS)) --exclusive
num() { printf '%016d' "$1"; }
"$IPCX" shm write "$ring" --offset 0 "$(num 0)"
"$IPCX" shm write "$ring" --offset 16 "$(num 0)"

producer() { # producer P: makes the items P, P+3, P+6, …
	local item i
	for ((item = $1; item <= ITEMS; item += P)); do
		"$IPCX" sem wait "$empty"
		"$IPCX" sem wait "$mutex"
		i=$("$IPCX" shm read "$ring" --offset 0 --length 16)
		i=$((10#$i))
		"$IPCX" shm write "$ring" --offset $((32 + 16 * (i % SLOTS))) "$(num "$item")"
		"$IPCX" shm write "$ring" --offset 0 "$(num $((i + 1)))"
		"$IPCX" sem post "$mutex"
		"$IPCX" sem post "$full"
	done
}

consumer() { # consumer C: takes ITEMS/3 items, one line each in $out/consumer-C
	local n item o
	for ((n = 0; n < ITEMS / C; n++)); do
		"$IPCX" sem wait "$full"
		"$IPCX" sem wait "$mutex"
		o=$("$IPCX" shm read "$ring" --offset 16 --length 16)
		o=$((10#$o))
		item=$("$IPCX" shm read "$ring" --offset $((32 + 16 * (o % SLOTS))) --length 16)
		"$IPCX" shm write "$ring" --offset 16 "$(num $((o + 1)))"
		"$IPCX" sem post "$mutex"
		"$IPCX" sem post "$empty"
		echo $((10#$item)) >>"$out/consumer-$1"
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
