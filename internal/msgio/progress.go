package msgio

import "sync/atomic"

// Progress counts the messages a stream has moved and their payload bytes. The loop that moves
// them adds to it after each message; another goroutine (a progress meter) reads it at any time.
// The zero value is ready.
type Progress struct {
	messages atomic.Int64
	bytes    atomic.Int64
}

// Add counts one message of size payload bytes.
func (p *Progress) Add(size int) {
	p.messages.Add(1)
	p.bytes.Add(int64(size))
}

// Load returns the messages and payload bytes counted so far.
func (p *Progress) Load() (messages, bytes int64) {
	return p.messages.Load(), p.bytes.Load()
}
