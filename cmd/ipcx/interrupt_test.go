package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/sig"
)

// TestSignalsCaughtOnlyToWait checks that mq send (messages from the command line), sem wait and
// sem op catch the interrupt signals only when they must wait (tryThenWait): a send to a queue
// with room, a wait on a semaphore with a unit and an op that can be done now make no signal
// context, and neither does --nonblock or --timeout 0 (124 at once); one that waits makes one, and
// its --timeout still ends it. Both flavors.
func TestSignalsCaughtOnlyToWait(t *testing.T) {
	ipcx := func(want int, args ...string) string {
		t.Helper()
		ios, _, out, errOut := iostreams.Test()
		if code := run(args, ios); code != want {
			t.Fatalf("ipcx %s: exit %d, want %d: %s", strings.Join(args, " "), code, want, errOut)
		}
		return strings.TrimSpace(out.String())
	}
	// caught runs ipcx and reports whether it made a signal context.
	caught := func(want int, args ...string) bool {
		t.Helper()
		before := sig.Contexts()
		ipcx(want, args...)
		return sig.Contexts() != before
	}
	check := func(what string, want, waits bool, args ...string) {
		t.Helper()
		code := 0
		if waits {
			code = 124
		}
		if got := caught(code, args...); got != want {
			t.Errorf("%s (ipcx %s): caught the signals %v, want %v", what, strings.Join(args, " "), got, want)
		}
	}

	pq := fmt.Sprintf("/ipcx-lazy-%d", os.Getpid())
	ipcx(0, "mq", "create", pq, "--maxmsg", "2", "--msgsize", "8")
	defer ipcx(0, "mq", "rm", pq)
	sq := ipcx(0, "mq", "create", "private", "--max-bytes", "2")
	defer ipcx(0, "mq", "rm", sq)
	for _, q := range []string{pq, sq} {
		check("mq send with room", false, false, "mq", "send", q, "a")
		check("mq send filling the queue", false, false, "mq", "send", q, "b")
		if got := caught(5, "mq", "send", "--nonblock", q, "c"); got {
			t.Errorf("mq send --nonblock %s to a full queue caught the signals", q)
		}
		check("mq send to a full queue", true, true, "mq", "send", "--timeout", "50ms", q, "c")
		check("mq send --timeout 0 to a full queue", false, true, "mq", "send", "--timeout", "0", q, "c")
		ipcx(0, "mq", "recv", q)
		// The first message goes at once, the second must wait: caught from it on.
		check("mq send, the second waiting", true, true, "mq", "send", "--timeout", "50ms", q, "d", "e")
		if got := ipcx(0, "mq", "recv", "--count", "2", q); got != "b\nd" {
			t.Errorf("%s holds %q after the sends, want b and d", q, got)
		}
	}

	ps := fmt.Sprintf("/ipcx-lazy-%d", os.Getpid())
	ipcx(0, "sem", "create", ps)
	defer ipcx(0, "sem", "rm", ps)
	ss := ipcx(0, "sem", "create", "private")
	defer ipcx(0, "sem", "rm", ss)
	for _, s := range []string{ps, ss} {
		ipcx(0, "sem", "post", s)
		check("sem wait with a unit", false, false, "sem", "wait", s)
		if got := caught(5, "sem", "wait", "--nonblock", s); got {
			t.Errorf("sem wait --nonblock %s at 0 caught the signals", s)
		}
		check("sem wait at 0", true, true, "sem", "wait", "--timeout", "50ms", s)
		check("sem wait --timeout 0 at 0", false, true, "sem", "wait", "--timeout", "0", s)
	}
	check("sem op that can be done", false, false, "sem", "op", ss, "0:+1")
	check("sem op that can be done", false, false, "sem", "op", ss, "0:-1")
	check("sem op that must wait", true, true, "sem", "op", "--timeout", "50ms", ss, "0:-1")
	check("sem op --timeout 0 that must wait", false, true, "sem", "op", "--timeout", "0", ss, "0:-1")
}
