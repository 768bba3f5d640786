package render

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"
)

// Watch draws frame every interval until ctx is done, and returns nil then (or the first error of
// frame or of writing). On a terminal (tty) it redraws in place without clearing the screen first
// (no flicker): home the cursor, overwrite each line clearing its rest, then clear below; each
// frame starts with a line "every DUR: TITLE    HH:MM:SS". Piped, frames follow each other
// separated by a blank line.
func Watch(ctx context.Context, w io.Writer, tty bool, every time.Duration, title string, frame func() ([]byte, error)) error {
	t := time.NewTicker(every)
	defer t.Stop()
	first := true
	for {
		b, err := frame()
		if err != nil {
			return err
		}
		var out bytes.Buffer
		if tty {
			out.WriteString("\x1b[H")
			if first {
				out.WriteString("\x1b[2J\x1b[H")
			}
			fmt.Fprintf(&out, "every %s: %s    %s\x1b[K\n\x1b[K\n", every, title, time.Now().Format("15:04:05"))
			out.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\x1b[K\n")))
			out.WriteString("\x1b[J")
		} else {
			if !first {
				out.WriteByte('\n')
			}
			out.Write(b)
		}
		first = false
		if _, err := w.Write(out.Bytes()); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
