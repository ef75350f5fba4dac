package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/demo"
	"codeberg.org/anvil-ci/anvil/localrun"
)

const demoLong = `Write a small demo repository, commit it with git and run its workflow
exactly like "anvil exec push -C <dir> -s DEMO_TOKEN=...".

The demo workflow (.forgejo/workflows/demo.yml) shows needs and job
outputs, a matrix, env files, a folded ::group::, a composite action kept
in the repository, a masked secret and a step summary. It needs only bash,
git and coreutils on this host.

Without --keep the repository goes to a temporary directory that is removed
afterwards.`

const demoExample = `  # Run the demo
  anvil demo

  # Keep the demo repository to look at it and run it again
  anvil demo --keep /tmp/anvil-demo
  anvil exec -C /tmp/anvil-demo -s DEMO_TOKEN=secret -l`

// newDemoCommand returns anvil demo.
func newDemoCommand(proc Process) *cobra.Command {
	var keep string
	var jsonOut bool
	c := &cobra.Command{
		Use:     "demo",
		Short:   "Run a small embedded demo repository's workflow",
		Long:    demoLong,
		Example: demoExample,
		Args:    rangeArgs(0, 0),
		RunE: func(c *cobra.Command, _ []string) error {
			proc.tuneShortLived()
			return runDemo(c.Context(), proc, keep, jsonOut)
		},
	}
	c.Flags().StringVar(&keep, "keep", "", "write the demo repository to this directory (new or empty) and keep it")
	c.Flags().BoolVar(&jsonOut, "json", false, "print one JSON event per line on stdout")
	return c
}

// runDemo writes the demo repository and runs it as anvil exec push.
func runDemo(ctx context.Context, proc Process, keep string, jsonOut bool) error {
	dir := keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "anvil-demo-")
		if err != nil {
			return fmt.Errorf("creating a directory for the demo (or pass --keep DIR): %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = filepath.Join(tmp, "textstats")
	}
	if err := demo.Write(ctx, dir, proc.now()); err != nil {
		if errors.Is(err, demo.ErrNotEmpty) {
			return usageErrorf("--keep %w", err)
		}
		return err
	}
	fmt.Fprintf(proc.Stderr, "demo repository: %s\n", dir)
	opts := &execOptions{json: jsonOut, run: localrun.Options{
		Dir:    dir,
		Values: localrun.ValueFlags{Secrets: []string{"DEMO_TOKEN=" + demo.Token}},
		Grace:  10 * time.Second,
	}}
	return runExec(ctx, proc, opts, "push")
}
