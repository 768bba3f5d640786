package main

import (
	"strings"

	"github.com/ipcx/ipcx/internal/failure"
	"github.com/spf13/cobra"
)

// refuseUnknownHelpTopics makes `ipcx help nosuch` a usage error (exit 2), as an unknown
// command is, instead of cobra's "Unknown help topic" with the root's usage and exit 0.
func refuseUnknownHelpTopics(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	c, _, err := root.Find([]string{"help"})
	if err != nil || c == root || c.Run == nil {
		return
	}
	run := c.Run
	c.Run = nil
	c.RunE = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			if t, rest, err := c.Root().Find(args); t == nil || err != nil || len(rest) > 0 {
				return failure.UsageHint("see: ipcx --help", "help: no such command: %s", strings.Join(args, " "))
			}
		}
		run(c, args)
		return nil
	}
}
