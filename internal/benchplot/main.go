package benchplot

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/ipcx/ipcx/internal/bench"
)

// Help is ipcx-plot's description (its man page, ipcx-plot.1, is made from it).
const Help = `ipcx-plot draws the pictures of a report of ipcx bench --json: for every message size, the
distribution of the round-trip latencies of each mechanism (a CDF on a log time axis, stretched
so that p99 and p99.9 are as readable as the median) above the throughput of each mechanism
(bars), titled with the machine and the placement of the two ends. The format of each PICTURE is
its extension: .svg or .png. REPORT.json is a file, or - for standard input.

ipcx bench --plot FILE runs it with the report on its standard input; it is a program of its own
so that ipcx does not link the drawing library, whose initialisation every ipcx command would
pay. Exit status: 0 drawn, 1 a failure (a report that cannot be read, a file that cannot be
written), 2 a usage error.`

// Main is the program ipcx-plot: `ipcx-plot REPORT.json|- PICTURE.svg|PICTURE.png...` draws the
// pictures of an `ipcx bench --json` report (- reads it from stdin), one file per PICTURE.
// `ipcx bench --plot` runs it; it is a program of its own so that the drawing library is not
// linked into ipcx (see bench.PlotCommand). It returns the exit status: 0, 1 a failure, 2 usage.
func Main(args []string, stdin io.Reader, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintf(stderr, "usage: ipcx-plot REPORT.json|- PICTURE.svg|PICTURE.png...\n\n%s\n", Help)
		return 0
	}
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
