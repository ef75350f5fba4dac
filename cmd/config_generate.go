package cmd

import (
	_ "embed"
	"io"

	"github.com/spf13/cobra"
)

// configTemplate is what anvil generate-config prints: every key the
// daemon reads, with its default and what it does. The keys are
// forgejo-runner's where the meaning is the same. TestGenerateConfigIsTheDefaults
// loads it and checks it is the defaults, every key documented.
//
//go:embed config_template.yaml
var configTemplate string

// newGenerateConfigCommand returns anvil generate-config.
func newGenerateConfigCommand(proc Process) *cobra.Command {
	return &cobra.Command{
		Use:   "generate-config",
		Short: "Print a documented configuration file for anvil daemon",
		Long: `Print a configuration file for "anvil daemon -c" with every key, its
default and what it does. Its keys are forgejo-runner's where the meaning is
the same, so a forgejo-runner config.yaml works with anvil unchanged.`,
		Example: `  anvil generate-config > config.yaml
  anvil daemon -c config.yaml`,
		Args: rangeArgs(0, 0),
		RunE: func(*cobra.Command, []string) error {
			_, err := io.WriteString(proc.Stdout, configTemplate)
			return err
		},
	}
}
