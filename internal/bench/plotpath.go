package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// PlotFormats are the extensions the pictures of ipcx bench --plot take, in the order its errors name them.
var PlotFormats = []string{".svg", ".png"}

// PlotFormatError is a --plot file whose extension names no picture format ipcx-plot draws.
type PlotFormatError struct {
	Path string
}

func (e *PlotFormatError) Error() string {
	return fmt.Sprintf("%s: a picture's format is taken from its extension: %s", e.Path, strings.Join(PlotFormats, " or "))
}

// ErrNothingToPlot is a report with no latency and no throughput figure.
var ErrNothingToPlot = errors.New("the report holds no latency or throughput figure to draw")

// CheckPlotPath returns a *PlotFormatError unless path ends in an extension of PlotFormats
// (in any case): `ipcx bench --plot` checks it before it runs anything.
func CheckPlotPath(path string) error {
	if !slices.Contains(PlotFormats, strings.ToLower(filepath.Ext(path))) {
		return &PlotFormatError{Path: path}
	}
	return nil
}

// PlotCommand is the program that draws the pictures of `ipcx bench --plot`, installed beside
// ipcx (cmd/ipcx-plot). The drawing library (gonum/plot and its fonts) is not linked into ipcx:
// Go initialises every linked package at every start, whatever the command, and linking it made
// `ipcx --version` 2.4 -> 3.2 ms (hyperfine, 300 runs, 2026-12-02) and the binary 12 -> 21 MB.
const PlotCommand = "ipcx-plot"

// Plot draws r into path (.svg or .png) by running PlotCommand with r as JSON on its stdin.
func Plot(r *Report, path string) error {
	if err := CheckPlotPath(path); err != nil {
		return err
	}
	prog, err := FindPlotCommand()
	if err != nil {
		return err
	}
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	cmd := exec.Command(prog, "-", path)
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(stderr.String()), PlotCommand+":"))
		if msg == "" {
			msg = fmt.Sprintf("%s: %v", prog, err)
		}
		return errors.New(msg)
	}
	return nil
}

// FindPlotCommand finds PlotCommand beside the running ipcx, else on PATH.
func FindPlotCommand() (string, error) {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), PlotCommand)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath(PlotCommand); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s, the program that draws the pictures, is neither beside ipcx nor on PATH (scripts/install and the packages install it; or: go install github.com/ipcx/ipcx/cmd/%s)", PlotCommand, PlotCommand)
}
