package sig

import "context"

// Events reads the trace's events in a goroutine of its own, until ctx ends or reading fails
// (Close included). Call stop when done: it closes the trace (removing its instance) and waits
// for the goroutine to end.
func (t *Trace) Events(ctx context.Context) (events <-chan TraceEvent, stop func()) {
	ch := make(chan TraceEvent)
	go func() {
		defer close(ch)
		for {
			e, err := t.Next()
			if err != nil {
				return
			}
			select {
			case ch <- e:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, func() {
		t.Close()
		for range ch {
		}
	}
}
