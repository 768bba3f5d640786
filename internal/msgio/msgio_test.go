//go:build linux

package msgio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

func split(t *testing.T, in string, delim byte, whole bool) []string {
	t.Helper()
	s := NewSplitter(strings.NewReader(in), delim, whole)
	var got []string
	for {
		m, err := s.Next()
		if err == io.EOF {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(m))
	}
}

func TestSplitter(t *testing.T) {
	long := strings.Repeat("x", 200<<10) // longer than the reader's buffer
	for _, tc := range []struct {
		in    string
		delim byte
		whole bool
		want  []string
	}{
		{"a\nb\n", '\n', false, []string{"a", "b"}},
		{"a\nb", '\n', false, []string{"a", "b"}},
		{"a\n\nb\n", '\n', false, []string{"a", "", "b"}},
		{"", '\n', false, nil},
		{"\n", '\n', false, []string{""}},
		{"a\x00b\x00", 0, false, []string{"a", "b"}},
		{"a\nb\x00", 0, false, []string{"a\nb"}},
		{"a\nb\n", '\n', true, []string{"a\nb\n"}},
		{"", '\n', true, []string{""}},
		{long + "\nz", '\n', false, []string{long, "z"}},
		{long, '\n', false, []string{long}},
	} {
		got := split(t, tc.in, tc.delim, tc.whole)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("split(%.20q, %q, %v) = %d messages %.40q, want %d", tc.in, tc.delim, tc.whole, len(got), got, len(tc.want))
		}
	}
}

func FuzzSplitter(f *testing.F) {
	f.Add([]byte("a\nb\n"), byte('\n'))
	f.Add([]byte("a\x00\x00b"), byte(0))
	f.Fuzz(func(t *testing.T, in []byte, delim byte) {
		s := NewSplitter(bytes.NewReader(in), delim, false)
		var parts [][]byte
		for {
			m, err := s.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, bytes.Clone(m))
		}
		// Joining the messages with the delimiter gives the input back (less one final delimiter).
		joined := bytes.Join(parts, []byte{delim})
		want := in
		if len(in) > 0 && in[len(in)-1] == delim {
			want = in[:len(in)-1]
		}
		if !bytes.Equal(joined, want) {
			t.Fatalf("split/join of %q gave %q", in, joined)
		}
	})
}

func encodeLine(dst []byte, m Message) []byte { return append(append(dst, m.Data...), '\n') }

// TestSinkPipeReaderGone: a message written to a pipe whose reader exits without reading it is put
// back; messages the reader read are not.
func TestSinkPipeReaderGone(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var back []string
	s := NewSink(w, encodeLine, func(m Message) error { back = append(back, string(m.Data)); return nil })
	if s.kind != outPipe {
		t.Fatalf("a pipe is kind %v", s.kind)
	}
	ctx := context.Background()
	if err := s.Write(Message{Data: []byte("one")}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if n, _ := r.Read(buf); string(buf[:n]) != "one\n" {
		t.Fatalf("read %q", buf[:n])
	}
	if err := s.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(Message{Data: []byte("two")}); err != nil {
		t.Fatal(err)
	}
	r.Close() // the reader goes away with "two" unread
	err = s.Ready(ctx)
	var pe *PutBackError
	if !errors.As(err, &pe) || !errors.Is(err, ErrOutputClosed) || pe.PutBack != 1 {
		t.Fatalf("Ready after the reader left: %v", err)
	}
	if strings.Join(back, ",") != "two" {
		t.Fatalf("put back %v, want [two]", back)
	}
	// A write to the closed pipe puts the message back too.
	if err := s.Write(Message{Data: []byte("three")}); !errors.Is(err, ErrOutputClosed) {
		t.Fatalf("write to a closed pipe: %v", err)
	}
	if strings.Join(back, ",") != "two,three" {
		t.Fatalf("put back %v", back)
	}
}
