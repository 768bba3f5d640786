//go:build linux

package complete

import (
	"io/fs"
	"os"
	"strings"
)

// FileType is the type of file a path argument takes.
type FileType int

// The file types.
const (
	FIFO   FileType = iota + 1 // a named pipe (fifo read, write, rm)
	Socket                     // a UNIX socket file (unix:PATH)
)

// fileType is the mode type of a file of type t and the word for it.
func fileType(t FileType) (want struct {
	mode fs.FileMode
	desc string
}) {
	switch t {
	case FIFO:
		want.mode, want.desc = fs.ModeNamedPipe, "FIFO"
	case Socket:
		want.mode, want.desc = fs.ModeSocket, "socket"
	}
	return want
}

// Files are the paths that start with prefix and name a file of type t, or a directory that may
// hold one (with a trailing /, to descend into: NoSpace). A symbolic link counts as what it points
// to. Names that start with a dot are offered only once the dot is typed, as shells do.
func Files(prefix string, t FileType) Result {
	dir, base := "", prefix
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		dir, base = prefix[:i+1], prefix[i+1:]
	}
	open := dir
	if open == "" {
		open = "."
	}
	ents, err := os.ReadDir(open)
	if err != nil {
		return Result{}
	}
	want := fileType(t)
	var r Result
	dirs := 0
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, base) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".")) {
			continue
		}
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			st, err := os.Stat(open + "/" + name)
			if err != nil {
				continue // a dangling link
			}
			mode = st.Mode().Type()
		}
		switch {
		case mode.IsDir():
			r.Candidates = append(r.Candidates, Candidate{Value: dir + name + "/", Description: "directory"})
			dirs++
		case mode&fs.ModeType == want.mode:
			r.Candidates = append(r.Candidates, Candidate{Value: dir + name, Description: want.desc})
		}
	}
	// A directory is a step on the way: no space after it. A file alone is the end of the word.
	r.NoSpace = dirs > 0
	return r
}
