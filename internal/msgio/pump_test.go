//go:build linux

package msgio

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// TestPumpStopped: a signal (ctx ending) while Pump waits for input stops the reading; the
// complete lines read before are sent, an incomplete one is not, and StoppedError counts them.
func TestPumpStopped(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	w.WriteString("a\nb\nhalf")
	ctx, cancel := context.WithCancel(context.Background())
	var sent []string
	done := make(chan error)
	go func() {
		done <- Pump(ctx, r, '\n', false, time.Second, func(ctx context.Context, i int, data []byte) error {
			sent = append(sent, string(data))
			if len(sent) == 2 {
				cancel() // the signal comes once both lines are read, while the reader waits
			}
			return nil
		})
	}()
	var st *StoppedError
	select {
	case err := <-done:
		if !errors.As(err, &st) || st.Sent != 2 || st.Unsent != 0 || !errors.Is(err, context.Canceled) {
			t.Fatalf("Pump: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Pump went on waiting for input after ctx ended")
	}
	if strings.Join(sent, ",") != "a,b" {
		t.Fatalf("sent %q", sent)
	}
}

// TestPumpSavesUnsent: a send that cannot take the lines read before a signal within the grace
// time leaves them in a file, not lost.
func TestPumpSavesUnsent(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Pump(ctx, strings.NewReader(""), '\n', false, 10*time.Millisecond, nil)
	var st *StoppedError
	if !errors.As(err, &st) || st.Sent != 0 {
		t.Fatalf("Pump of nothing after a signal: %v", err)
	}
	// Lines read in one go before the signal; every send fails once the grace time is over.
	r, w, _ := os.Pipe()
	defer r.Close()
	w.WriteString("x\ny\nz\n")
	w.Close()
	ctx, cancel = context.WithCancel(context.Background())
	err = Pump(ctx, r, '\n', false, 10*time.Millisecond, func(sctx context.Context, i int, data []byte) error {
		if i == 0 {
			return nil
		}
		cancel()
		<-sctx.Done() // a full queue until the grace time ends
		return sctx.Err()
	})
	if !errors.As(err, &st) || st.Sent != 1 || st.Unsent != 2 || st.SaveErr != nil {
		t.Fatalf("Pump: %v", err)
	}
	if b, _ := os.ReadFile(st.SavedTo); string(b) != "y\nz\n" {
		t.Fatalf("saved %q", b)
	}
}
