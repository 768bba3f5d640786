#!/usr/bin/env bash
# Short commands (issue 14 goal 1): the cost of one invocation, as a script calling ipcx in a loop
# pays it. A C runner (spawnloop) starts every command once per round, SHORT_BENCH_ROUNDS rounds
# (default 300, after 20 rounds of warm-up), in a rotating order, and times each start to exit
# (posix_spawn to waitpid); every command must exit 0. Each row is the median of its per-round
# times and the median of its per-round ratios against the anchors of the same round:
#   a Go hello world (fmt.Println) built as scripts/bench builds ipcx (CGO_ENABLED=0 go build),
#     bound 1.25x;
#   util-linux ipcs -q (/usr/bin/ipcs), bound 2x;
#   ls --json over 10 objects against ipcs -a, bound 1.5x;
#   the floor, the hello world linking cobra, tablewriter and x/sys (no bound: it shows what the
#     dependencies' initialisation costs every command, and how far above it ipcx's own part is);
#     two rows split that part, for scale (no bound): the floor with the initialisation of ipcx's
#     own packages added, and ipcx's binary exiting as main begins (the cost of its size).
# /bin/true is printed for scale: it is the cost of a process start alone.
# The queue (10 messages of 8 bytes: root's RLIMIT_MSGQUEUE is shared by everything root runs)
# and the semaphore start with one message and one unit: each round sends and receives one, posts
# and waits once, in whatever order the rotation gives, so neither blocks.
set -euo pipefail
root=$(pwd)
own_tmp=
if [ -z "${BENCH_TMP:-}" ]; then
	BENCH_TMP=$(mktemp -d)
	own_tmp=$BENCH_TMP
	trap 'rm -rf "$own_tmp"' EXIT
	IPCX=$BENCH_TMP/ipcx
	CGO_ENABLED=0 go build -o "$IPCX" ./cmd/ipcx
fi
rounds=${SHORT_BENCH_ROUNDS:-300}
warmup=20
IPCS=/usr/bin/ipcs
[ -x "$IPCS" ] || { echo "short: $IPCS (util-linux) is missing" >&2; exit 1; }
cd "$BENCH_TMP"

# The Go hello world, with the toolchain and flags of ipcx's build.
mkdir -p hello
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello, world") }\n' > hello/main.go
printf 'module hello\n\ngo 1.24\n' > hello/go.mod
(cd hello && GOWORK=off CGO_ENABLED=0 go build -o "$BENCH_TMP/hello-go" .)
# The floor: the same hello world linking ipcx's three chosen dependencies (cobra, tablewriter,
# x/sys) at ipcx's versions and nothing else. Go initialises every linked package before main, so
# no command of ipcx can start faster than this; the rows say how far above it each one is.
# hello_with PKG...: a hello world blank-importing the packages named.
hello_with() {
	printf 'package main\n\nimport (\n\t"fmt"\n\n'
	printf '\t_ "%s"\n' "$@"
	printf ')\n\nfunc main() { fmt.Println("hello, world") }\n'
}
deps=(github.com/olekukonko/tablewriter github.com/spf13/cobra golang.org/x/sys/unix)
mkdir -p floor
hello_with "${deps[@]}" > floor/main.go
(cd "$root" && CGO_ENABLED=0 go build -o "$BENCH_TMP/floor-go" "$BENCH_TMP/floor/main.go")
# The floor with every package of ipcx's own that the tool links, blank imported: what their
# initialisation adds (the linker keeps only the code an init reaches). Built as a package of the
# module through an overlay (internal/ is importable only from inside it); nothing is written to
# the repository. What ipcx --version costs above this row is the code the tool reaches from
# main: the runtime's start and the kernel's page faults grow with the binary.
mkdir -p initonly
hello_with "${deps[@]}" $(cd "$root" && go list -deps ./cmd/ipcx | grep '^github.com/ipcx/ipcx/internal/') > initonly/main.go
printf '{"Replace": {"%s/cmd/ipcx-initonly/main.go": "%s/initonly/main.go"}}\n' "$root" "$BENCH_TMP" > initonly/overlay.json
(cd "$root" && CGO_ENABLED=0 go build -overlay "$BENCH_TMP/initonly/overlay.json" -o "$BENCH_TMP/initonly-go" ./cmd/ipcx-initonly)
# ipcx itself, exiting as main begins (an overlay of cmd/ipcx/main.go; everything else the same
# binary): the runtime's start and the initialisation of a binary of ipcx's size, before any
# command is looked at. The rows in between: above initonly, the cost of the binary's size; above
# this row, the command's own work.
mkdir -p atmain
sed 's/^func main() {$/func main() {\n\tif len(os.Args) < 1<<30 {\n\t\tos.Exit(0)\n\t}/' "$root/cmd/ipcx/main.go" > atmain/main.go
grep -q 'os.Exit(0)' atmain/main.go || { echo "short: cmd/ipcx/main.go has no line 'func main() {'" >&2; exit 1; }
printf '{"Replace": {"%s/cmd/ipcx/main.go": "%s/atmain/main.go"}}\n' "$root" "$BENCH_TMP" > atmain/overlay.json
(cd "$root" && CGO_ENABLED=0 go build -overlay "$BENCH_TMP/atmain/overlay.json" -o "$BENCH_TMP/atmain-go" ./cmd/ipcx)

cat > spawnloop.c <<'C'
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
extern char **environ;
/* spawnloop ROUNDS WARMUP FILE: FILE has one command a line, "NAME<TAB>ARGV words". Each round
   starts every command once, beginning one further along each round; prints "ROUND NAME USEC"
   for every start after the warm-up. A command that does not exit 0 stops the run. */
int main(int argc, char **argv) {
	int rounds = atoi(argv[1]), warm = atoi(argv[2]), n = 0;
	char *name[64], **args[64], line[4096];
	FILE *f = fopen(argv[3], "r");
	if (!f) { perror(argv[3]); return 1; }
	while (n < 64 && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *tab = strchr(line, '\t');
		if (!tab) continue;
		*tab = 0;
		name[n] = strdup(line);
		args[n] = calloc(64, sizeof(char *));
		int k = 0;
		for (char *w = strtok(tab + 1, " "); w && k < 63; w = strtok(NULL, " ")) args[n][k++] = strdup(w);
		n++;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	for (int r = 0; r < warm + rounds; r++) {
		for (int j = 0; j < n; j++) {
			int i = (j + r) % n, st;
			struct timespec t0, t1;
			pid_t pid;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (posix_spawn(&pid, args[i][0], &fa, NULL, args[i], environ)) { perror(args[i][0]); return 1; }
			if (waitpid(pid, &st, 0) < 0) { perror("waitpid"); return 1; }
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (!WIFEXITED(st) || WEXITSTATUS(st)) { fprintf(stderr, "spawnloop: %s failed (status %d)\n", name[i], st); return 1; }
			if (r >= warm)
				printf("%d %s %.1f\n", r, name[i], (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3);
		}
	}
	return 0;
}
C
gcc -O2 -o spawnloop spawnloop.c

# The objects: a POSIX queue and semaphore for the short commands, and System V queues, sets and
# segments, 10 objects in all for ls --json (ipcs -a lists the 8 System V ones).
u=short$$
q=/$u.q s=/$u.s
"$IPCX" mq create "$q" --maxmsg 10 --msgsize 8 >/dev/null
"$IPCX" sem create "$s" >/dev/null
"$IPCX" mq send "$q" x
"$IPCX" sem post "$s"
ids=()
address() { sed -n 's/.*"address": *"\([^"]*\)".*/\1/p'; }
for i in 1 2 3; do ids+=("mq $("$IPCX" mq create private --json | address)"); done
for i in 1 2 3; do ids+=("sem $("$IPCX" sem create private --json | address)"); done
for i in 1 2; do ids+=("shm $("$IPCX" shm create private --size 4096 --json | address)"); done
cleanup() {
	"$IPCX" mq rm "$q" >/dev/null 2>&1 || true
	"$IPCX" sem rm "$s" >/dev/null 2>&1 || true
	for a in "${ids[@]}"; do "$IPCX" ${a% *} rm "${a#* }" >/dev/null 2>&1 || true; done
}
trap 'cleanup; [ -z "$own_tmp" ] || rm -rf "$own_tmp"' EXIT
n=$("$IPCX" ls --json | grep -c '"kind"')
[ "$n" = 10 ] || { echo "short: ls --json lists $n objects, want 10: ${ids[*]}" >&2; exit 1; }

{
	printf 'true\t/bin/true\n'
	printf 'hello\t%s\n' "$BENCH_TMP/hello-go"
	printf 'floor\t%s\n' "$BENCH_TMP/floor-go"
	printf 'initonly\t%s\n' "$BENCH_TMP/initonly-go"
	printf 'atmain\t%s\n' "$BENCH_TMP/atmain-go"
	printf 'ipcs-q\t%s -q\n' "$IPCS"
	printf 'ipcs-a\t%s -a\n' "$IPCS"
	printf 'version\t%s --version\n' "$IPCX"
	printf 'mq-send\t%s mq send %s x\n' "$IPCX" "$q"
	printf 'mq-recv\t%s mq recv %s\n' "$IPCX" "$q"
	printf 'sem-post\t%s sem post %s\n' "$IPCX" "$s"
	printf 'sem-wait\t%s sem wait %s\n' "$IPCX" "$s"
	printf 'ipcx-ipcs-q\t%s ipcs -q\n' "$IPCX"
	printf 'ls-json\t%s ls --json\n' "$IPCX"
} > commands
./spawnloop "$rounds" "$warmup" commands > times

# short_row NAME CMD ANCHOR BOUND [ANCHOR BOUND...]: CMD's median time and the median per-round
# ratio against each anchor, with its bound ("-": none, printed for scale).
short_row() {
	local label=$1 cmd=$2
	shift 2
	awk -v cmd="$cmd" -v label="$label" -v pairs="$*" '
	function median(v, n,   i, j, t) {
		for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
		return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{ t[$1, $2] = $3; rs[$1] = 1 }
	END {
		k = split(pairs, pa, " ")
		n = 0; for (r in rs) { n++; x[n] = t[r, cmd] }
		out = sprintf("%-30s %6.2f ms", label, median(x, n) / 1000)
		for (a = 1; a < k; a += 2) {
			n = 0; for (r in rs) { n++; p[n] = t[r, cmd] / t[r, pa[a]] }
			q = median(p, n)
			if (pa[a + 1] == "-") out = out sprintf("  /%-6s %5.2f", pa[a], q)
			else out = out sprintf("  /%-6s %5.2f (bound %s) %s", pa[a], q, pa[a + 1], q <= pa[a + 1] ? "ok" : "OVER")
		}
		print out
	}' times
}
anchor_row() {
	awk -v cmd="$2" -v label="$1" '$2 == cmd { v[++n] = $3 }
	END { for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
		printf "%-30s %6.2f ms  (%d runs)\n", label, ((n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2) / 1000, n }' times
}
echo "short commands: median per invocation over $rounds interleaved rounds, median per-round ratios"
anchor_row "/bin/true" true
anchor_row "Go hello world" hello
anchor_row "util-linux ipcs -q" ipcs-q
anchor_row "util-linux ipcs -a (8 objects)" ipcs-a
short_row "floor: hello + ipcx's deps" floor hello 1.25 ipcs-q 2
short_row "floor + ipcx's packages' init" initonly hello - ipcs-q - floor -
short_row "ipcx, exiting as main begins" atmain hello - ipcs-q - floor -
short_row "ipcx --version" version hello 1.25 ipcs-q 2 floor -
short_row "ipcx mq send /q x" mq-send hello 1.25 ipcs-q 2 floor -
short_row "ipcx mq recv /q" mq-recv hello 1.25 ipcs-q 2 floor -
short_row "ipcx sem post /s" sem-post hello 1.25 ipcs-q 2 floor -
short_row "ipcx sem wait /s" sem-wait hello 1.25 ipcs-q 2 floor -
short_row "ipcx ipcs -q" ipcx-ipcs-q hello 1.25 ipcs-q 2 floor -
short_row "ipcx ls --json (10 objects)" ls-json ipcs-a 1.5 floor -
procs=(/proc/[0-9]*)
echo "processes on the machine (ls reads each one's fds and maps for holders): ${#procs[@]}; load: $(cut -d' ' -f1-3 /proc/loadavg)"
