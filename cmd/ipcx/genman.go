package main

import (
	"fmt"
	"os"
	"time"

	"github.com/ipcx/ipcx/internal/iostreams"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// manDate is the date printed in the man pages: fixed, so that regenerated pages diff cleanly.
var manDate = time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)

func newGenManCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "gen-man DIR",
		Short:  "Write the man pages into DIR",
		Hidden: true,
		Args:   exactArgs(1, "a directory"),
		RunE: func(c *cobra.Command, args []string) error {
			return genMan(args[0])
		},
	}
}

// genMan writes one man page per command into dir, from a fresh command tree.
func genMan(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	root := newRootCmd(iostreams.System())
	root.DisableAutoGenTag = true
	hdr := &doc.GenManHeader{Title: "IPCX", Section: "1", Date: &manDate, Source: "ipcx", Manual: "ipcx manual"}
	if err := doc.GenManTree(root, hdr, dir); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	return nil
}
