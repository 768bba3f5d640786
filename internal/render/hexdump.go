package render

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// HexDumper writes bytes as `hexdump -C` does: 16 bytes a line with the offset, the bytes in hex in
// two groups of eight and the printable ASCII between bars; a run of lines equal to the one before
// is shown as a single "*"; the last line is the offset just past the data.
type HexDumper struct {
	w       *bufio.Writer
	off     int64 // offset of the next byte, as printed
	line    []byte
	prev    []byte
	havePrv bool
	starred bool
	any     bool // whether any byte was written
}

// NewHexDumper returns a HexDumper writing to w, numbering the first byte off. Close writes the
// last line.
func NewHexDumper(w io.Writer, off int64) *HexDumper {
	return &HexDumper{w: bufio.NewWriterSize(w, 64<<10), off: off, line: make([]byte, 0, 16), prev: make([]byte, 16)}
}

// Write dumps p, holding a partial line until more bytes or Close.
func (h *HexDumper) Write(p []byte) (int, error) {
	n := len(p)
	h.any = h.any || n > 0
	for len(p) > 0 {
		k := copy(h.line[len(h.line):16], p)
		h.line = h.line[:len(h.line)+k]
		p = p[k:]
		if len(h.line) == 16 {
			h.flushLine()
		}
	}
	return n, nil
}

func (h *HexDumper) flushLine() {
	if len(h.line) == 16 && h.havePrv && bytes.Equal(h.line, h.prev) {
		if !h.starred {
			h.w.WriteString("*\n")
			h.starred = true
		}
	} else {
		h.starred = false
		fmt.Fprintf(h.w, "%08x ", h.off)
		for i := 0; i < 16; i++ {
			if i == 8 {
				h.w.WriteByte(' ')
			}
			if i < len(h.line) {
				fmt.Fprintf(h.w, " %02x", h.line[i])
			} else {
				h.w.WriteString("   ")
			}
		}
		h.w.WriteString("  |")
		for _, c := range h.line {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			h.w.WriteByte(c)
		}
		h.w.WriteString("|\n")
	}
	if len(h.line) == 16 {
		copy(h.prev, h.line)
		h.havePrv = true
	}
	h.off += int64(len(h.line))
	h.line = h.line[:0]
}

// Close writes the last partial line and the final offset (nothing at all for no data, as
// hexdump does).
func (h *HexDumper) Close() error {
	if !h.any {
		return h.w.Flush()
	}
	if len(h.line) > 0 {
		h.flushLine()
	}
	fmt.Fprintf(h.w, "%08x\n", h.off)
	return h.w.Flush()
}
