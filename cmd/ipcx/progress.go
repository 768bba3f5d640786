package main

import (
	"github.com/ipcx/ipcx/internal/failure"
	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/ipcx/ipcx/internal/progress"
	"github.com/spf13/cobra"
)

// progressFlag is --progress[=auto|always|never], the one progress display of the long
// transfers (internal/progress): its rule is progressHelp.
type progressFlag struct {
	progress string
}

// progressHelp is the paragraph of --progress in the help of every command that has it.
const progressHelp = `--progress shows the bytes moved so far and the rate on standard error, redrawn in place every
second when standard error is a terminal, and prints a final line with the exact counts when the
transfer ends (also on Ctrl-C, SIGTERM or an error). --progress=always draws the live line even
when standard error is not a terminal, as a plain line every second (for a log);
--progress=never turns it off.
`

// registerProgress adds --progress to c; what says what it counts.
func (p *progressFlag) registerProgress(c *cobra.Command, what string) {
	c.Flags().StringVar(&p.progress, "progress", "", "show "+what+" and the rate on standard error; `WHEN`: auto (live on a terminal only), always, never")
	c.Flags().Lookup("progress").NoOptDefVal = "auto"
}

// progressMode is the mode --progress asks for: Off when it was not given.
func (p *progressFlag) progressMode() (progress.Mode, error) {
	if p.progress == "" {
		return progress.Off, nil
	}
	m, err := progress.ParseMode(p.progress)
	if err != nil {
		return progress.Off, failure.Usagef("%v", err)
	}
	return m, nil
}

// startProgress starts the display on standard error (nil without --progress). The mode was
// checked by progressMode before anything was opened.
func (p *progressFlag) startProgress(io *iostreams.IOStreams, o progress.Options) *progress.Display {
	m, _ := p.progressMode()
	return progress.Start(io.ErrOut, m, o)
}
