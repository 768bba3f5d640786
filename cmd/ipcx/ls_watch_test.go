package main

import (
	"context"
	"errors"
	"io"
	"runtime/debug"
	"testing"
	"time"

	"github.com/ipcx/ipcx/internal/iostreams"
)

// ls --watch redraws without end: its frames run with the garbage collector on (a single listing
// may turn it off while it runs, --watch must not).
func TestLsWatchKeepsGC(t *testing.T) {
	stop := errors.New("enough frames")
	frames := 0
	defer func(w func(context.Context, io.Writer, bool, time.Duration, string, func() ([]byte, error)) error) {
		renderWatch = w
	}(renderWatch)
	renderWatch = func(_ context.Context, _ io.Writer, _ bool, _ time.Duration, _ string, frame func() ([]byte, error)) error {
		for ; frames < 3; frames++ {
			if _, err := frame(); err != nil {
				return err
			}
			if gc := debug.SetGCPercent(100); gc < 0 {
				t.Errorf("frame %d ran with the garbage collector off (GOGC %d)", frames, gc)
			} else {
				debug.SetGCPercent(gc)
			}
		}
		return stop
	}
	ios, _, _, _ := iostreams.Test()
	err := lsRun(&lsOptions{io: ios, watch: time.Millisecond})
	if !errors.Is(err, stop) || frames != 3 {
		t.Fatalf("lsRun --watch: %v after %d frame(s), want %v after 3", err, frames, stop)
	}
	if gc := debug.SetGCPercent(100); gc < 0 {
		t.Errorf("the garbage collector is off after ls --watch (GOGC %d)", gc)
	} else {
		debug.SetGCPercent(gc)
	}
}
