// Command replot draws the pictures of a saved `ipcx bench --json` report, so that one run gives
// the JSON, the SVG and the PNG of scripts/bench-pictures (ipcx bench --plot draws one file):
//
//	go run ./scripts/replot REPORT.json PICTURE.svg|PICTURE.png...
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/ipcx/ipcx/internal/bench"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: replot REPORT.json PICTURE.svg|PICTURE.png...")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "replot:", err)
		os.Exit(1)
	}
	var r bench.Report
	if err := json.Unmarshal(data, &r); err != nil {
		fmt.Fprintf(os.Stderr, "replot: %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	for _, path := range os.Args[2:] {
		if err := bench.Plot(&r, path); err != nil {
			fmt.Fprintln(os.Stderr, "replot:", err)
			os.Exit(1)
		}
	}
}
