package benchplot

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/ipcx/ipcx/internal/bench"
)

// Main is the program ipcx-plot: `ipcx-plot REPORT.json|- PICTURE.svg|PICTURE.png...` draws the
// pictures of an `ipcx bench --json` report (- reads it from stdin), one file per PICTURE.
// `ipcx bench --plot` runs it; it is a program of its own so that the drawing library is not
// linked into ipcx (see bench.PlotCommand). It returns the exit status: 0, 1 a failure, 2 usage.
func Main(args []string, stdin io.Reader, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprintln(stderr, "usage: ipcx-plot REPORT.json|- PICTURE.svg|PICTURE.png...")
		return 2
	}
	for _, path := range args[1:] {
		if err := bench.CheckPlotPath(path); err != nil {
			fmt.Fprintln(stderr, "ipcx-plot:", err)
			return 2
		}
	}
	var data []byte
	var err error
	if args[0] == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(args[0])
	}
	if err != nil {
		fmt.Fprintln(stderr, "ipcx-plot:", err)
		return 1
	}
	var r bench.Report
	if err := json.Unmarshal(data, &r); err != nil {
		fmt.Fprintf(stderr, "ipcx-plot: %s: not an ipcx bench --json report: %v\n", args[0], err)
		return 1
	}
	for _, path := range args[1:] {
		if err := Plot(&r, path); err != nil {
			fmt.Fprintln(stderr, "ipcx-plot:", err)
			return 1
		}
	}
	return 0
}
