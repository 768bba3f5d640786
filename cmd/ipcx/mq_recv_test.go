package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"github.com/ipcx/ipcx/internal/sig"
	"github.com/ipcx/ipcx/internal/sysv"
)

// TestRecvInterruptedBetweenReceiveAndWrite sends SIGINT, then SIGQUIT (Ctrl-\), to ipcx after a
// message was taken off the queue and before it was written: the message must go back, and the
// exit code must be 128+N. Left to the Go runtime, SIGQUIT would end this test binary with a stack
// dump.
func TestRecvInterruptedBetweenReceiveAndWrite(t *testing.T) {
	for _, tc := range []struct {
		sig  os.Signal
		code int
		name string
	}{{sig.SIGINT.OS(), 130, "SIGINT"}, {sig.SIGQUIT.OS(), 131, "SIGQUIT"}} {
		t.Run(tc.name, func(t *testing.T) { recvInterrupted(t, tc.sig, tc.code, tc.name) })
	}
}

func recvInterrupted(t *testing.T, s os.Signal, code int, sigName string) {
	name := fmt.Sprintf("/ipcx-seam-%d", os.Getpid())
	q, err := posix.MqOpen(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer posix.MqUnlink(name)
	defer q.Close()
	q.Send(context.Background(), []byte("precious"), 4, true)

	id, err := sysv.MsgGet(sysv.Private, sysv.Create|0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer sysv.MsgRemove(id)
	sysv.MsgSnd(context.Background(), id, 6, []byte("typed"), 0)

	for _, a := range []string{name, fmt.Sprintf("id:%d", id)} {
		out, err := os.Create(filepath.Join(t.TempDir(), "out"))
		if err != nil {
			t.Fatal(err)
		}
		ios, _, _, _ := iostreams.Test()
		ios.Out = out
		opts := &mqRecvOptions{io: ios, addr: a, count: 1, delim: "\n", flagSet: func(string) bool { return false },
			afterReceive: func() {
				signalSelf(s)
				time.Sleep(200 * time.Millisecond) // let the signal reach the handler
			}}
		err = mqRecvRun(context.Background(), opts)
		if failure.Code(err) != code || err.Error() != "mq "+a+": interrupted by "+sigName {
			t.Fatalf("%s: error %v, want exit %d interrupted by %s", a, err, code, sigName)
		}
		if b, _ := os.ReadFile(out.Name()); len(b) != 0 {
			t.Errorf("%s: wrote %q though interrupted before writing", a, b)
		}
		out.Close()
	}
	buf := make([]byte, q.MsgSize())
	n, prio, err := q.Receive(context.Background(), buf, true)
	if err != nil || string(buf[:n]) != "precious" || prio != 4 {
		t.Errorf("POSIX message not put back with its priority: %q %d %v", buf[:n], prio, err)
	}
	typ, text, err := sysv.MsgRcv(context.Background(), id, make([]byte, 64), 0, sysv.NoWait)
	if err != nil || string(text) != "typed" || typ != 6 {
		t.Errorf("System V message not put back with its type: %q %d %v", text, typ, err)
	}
}
