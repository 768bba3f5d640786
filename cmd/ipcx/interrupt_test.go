package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/posix"
	"golang.org/x/sys/unix"
)

// TestRecvQuitPutsBack sends SIGQUIT (Ctrl-\) to ipcx after a message was taken off the queue and
// before it was written: as for SIGINT, the message goes back and the exit code is 131. Left to
// the Go runtime, SIGQUIT would end this test binary with a stack dump.
func TestRecvQuitPutsBack(t *testing.T) {
	name := fmt.Sprintf("/ipcx-quit-%d", os.Getpid())
	q, err := posix.MqOpen(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer posix.MqUnlink(name)
	defer q.Close()
	if err := q.Send(context.Background(), []byte("precious"), 4, true); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	ios, _, _, _ := iostreams.Test()
	opts := &mqRecvOptions{io: ios, addr: name, count: 1, delim: "\n", flagSet: func(string) bool { return false },
		afterReceive: func() {
			syscall.Kill(os.Getpid(), syscall.SIGQUIT)
			time.Sleep(200 * time.Millisecond) // let the signal reach the handler
		}}
	err = mqRecvRun(context.Background(), opts, out)
	var ce *cmdError
	if !errors.As(err, &ce) || ce.code != 131 || ce.msg != "mq "+name+": interrupted by SIGQUIT" {
		t.Fatalf("error %v, want exit 131 interrupted by SIGQUIT", err)
	}
	if b, _ := os.ReadFile(out.Name()); len(b) != 0 {
		t.Errorf("wrote %q though interrupted before writing", b)
	}
	buf := make([]byte, q.MsgSize())
	n, prio, err := q.Receive(context.Background(), buf, true)
	if err != nil || string(buf[:n]) != "precious" || prio != 4 {
		t.Errorf("message not put back with its priority: %q %d %v", buf[:n], prio, err)
	}
}
