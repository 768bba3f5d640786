//go:build linux

package bench

import "time"

// The timed loops. They allocate nothing (TestLoopsDoNotAllocate): the frame and the samples are
// made before, every call on an end is a raw system call or an atomic operation on shared
// memory, and a time stamp is read once per round trip.

// pingLoop makes len(samples) round trips: it sends message i (stamped with i when the mechanism
// carries data), waits for it to come back and stores the time since the previous round trip
// ended.
func pingLoop(e end, f []byte, data bool, samples []int64) error {
	p := f[hdr:]
	prev := time.Now()
	for i := range samples {
		seq := uint64(i)
		if data {
			stamp(p, seq)
		}
		if err := e.send(f, seq); err != nil {
			return err
		}
		if err := e.recv(f, seq); err != nil {
			return err
		}
		if data && !seqOK(p, seq) {
			return errWrongMessage
		}
		now := time.Now()
		samples[i] = int64(now.Sub(prev))
		prev = now
	}
	return nil
}

// echoLoop is the other end of pingLoop: it receives n messages and sends each back.
func echoLoop(e end, f []byte, data bool, n int64) error {
	p := f[hdr:]
	for i := int64(0); i < n; i++ {
		seq := uint64(i)
		if err := e.recv(f, seq); err != nil {
			return err
		}
		if data && !seqOK(p, seq) {
			return errWrongMessage
		}
		if err := e.send(f, seq); err != nil {
			return err
		}
	}
	return nil
}

// streamLoop sends n messages, each stamped with its number.
func streamLoop(e end, f []byte, n int64) error {
	p := f[hdr:]
	for i := int64(0); i < n; i++ {
		stamp(p, uint64(i))
		if err := e.send(f, uint64(i)); err != nil {
			return err
		}
	}
	return nil
}

// sinkLoop receives and checks n messages and returns the time from the first one's arrival to
// the last one's: the stream's rate is n-1 messages in that time.
func sinkLoop(e end, f []byte, n int64) (time.Duration, error) {
	p := f[hdr:]
	var first time.Time
	for i := int64(0); i < n; i++ {
		if err := e.recv(f, uint64(i)); err != nil {
			return 0, err
		}
		if !seqOK(p, uint64(i)) {
			return 0, errWrongMessage
		}
		if i == 0 {
			first = time.Now()
		}
	}
	return time.Since(first), nil
}

// lossySinkLoop receives a udp stream until the end marker of stream id (a datagram one byte
// longer than a message, stamped with id): it counts the messages that arrived, checks that
// they come in order, and returns the time from the first arrival to the last.
func lossySinkLoop(e *fdDgram, f []byte, id uint64) (int64, time.Duration, error) {
	size := len(f) - hdr
	p := f[hdr:cap(f)]
	var first, last time.Time
	var got int64
	next := uint64(0)
	for {
		n, err := e.recvAny(f)
		if err != nil {
			return got, 0, err
		}
		if n == size+1 {
			if seqOK(p[:n], id) {
				break
			}
			continue // a late marker of the stream before
		}
		if n != size {
			return got, 0, errWrongMessage
		}
		now := time.Now()
		if got == 0 {
			first = now
		}
		if size > 0 {
			s := stamped(p[:size])
			if size >= 8 && s < next {
				return got, 0, errWrongMessage
			}
			next = s + 1
		}
		last = now
		got++
	}
	return got, last.Sub(first), nil
}
