package cmd

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersionCommand(proc Process) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print anvil's version, commit and Go version",
		Example: "  anvil version",
		Args:    rangeArgs(0, 0),
		RunE: func(c *cobra.Command, _ []string) error {
			info, _ := debug.ReadBuildInfo()
			fmt.Fprintln(proc.Stdout, versionLine(info))
			return nil
		},
	}
}

// versionLine describes the build: module version, VCS revision and Go
// version, as far as the build info knows them.
func versionLine(info *debug.BuildInfo) string {
	if info == nil {
		return "anvil (unknown version)"
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	line := "anvil " + version
	if rev != "" {
		line += " (" + rev + modified + ")"
	}
	return line + " " + info.GoVersion
}
