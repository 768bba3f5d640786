// Command ipcx-plot draws the pictures of an `ipcx bench --json` report:
//
//	ipcx-plot REPORT.json|- PICTURE.svg|PICTURE.png...
//
// `ipcx bench --plot FILE` runs it (beside ipcx, else on PATH). It is a program of its own so that
// ipcx does not link the drawing library, whose initialisation every ipcx command would pay.
package main

import (
	"os"

	"github.com/ipcx/ipcx/internal/benchplot"
)

func main() {
	os.Exit(benchplot.Main(os.Args[1:], os.Stdin, os.Stderr))
}
