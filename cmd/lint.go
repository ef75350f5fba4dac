package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/console"
	"codeberg.org/anvil-ci/anvil/localrun"
	"codeberg.org/anvil-ci/anvil/pipeline/lint"
)

const lintLong = `Check workflow files before they run, with anvil's own parser and
actionlint's rules adapted to Forgejo: the forgejo and gitea contexts,
https://host/owner/repo@ref actions and Forgejo-only keys are accepted, and
runs-on labels are checked against the runner's labels when they are known.

PATH is a workflow file or a directory of them. Without PATH, the workflow
directory anvil exec reads is checked: the first of .forgejo/workflows,
.gitea/workflows and .github/workflows under -C.

Each problem is printed as file:line:col: severity: message [rule];
--format json prints a JSON array instead. An error is what GitHub or
Forgejo would refuse at run time too (invalid YAML, no jobs, unknown or
cyclic needs, an expression that does not parse, an undefined context or
function, a matrix over 256 combinations, a step with neither run nor
uses, container options the Docker executor refuses such as --privileged,
a file over anvil's size and nesting limits): anvil exec and the daemon
fail such a workflow's jobs at once.
Everything else (unknown keys, types that do not fit, untrusted input in
scripts, ...) is a warning: it is shown, and the workflow runs.

Runner labels come from --label, or from the runner's config file (-c):
its runner.labels, else the labels of its registration file (runner.file,
default .runner). Without either, runs-on labels are not checked.

Exit status: 0 when there is no error (warnings are printed), 1 when there
is one, or any warning with --strict; 2 for bad flags or paths.`

const lintExample = `  # Check the workflows of the repository in the current directory
  anvil lint

  # One file, and a directory, of another repository
  anvil lint -C ../app ../app/.forgejo/workflows/ci.yml ../app/ci/workflows

  # Fail on warnings too, as a CI gate
  anvil lint --strict

  # Check runs-on against the labels of this runner, JSON for tools
  anvil lint --label docker --label ubuntu-latest --format json
  anvil lint -c /etc/anvil/config.yaml

  # Report vars.NAME that are not among these configuration variables
  anvil lint --var DEPLOY_HOST --var REGISTRY`

// lintOptions are the flags of anvil lint.
type lintOptions struct {
	dir    string
	format string
	labels []string
	config string
	vars   []string
	strict bool
}

// newLintCommand returns anvil lint.
func newLintCommand(proc Process) *cobra.Command {
	o := &lintOptions{}
	c := &cobra.Command{
		Use:     "lint [PATH...]",
		Short:   "Check workflow files for problems before they run",
		Long:    lintLong,
		Example: lintExample,
		RunE: func(c *cobra.Command, args []string) error {
			proc.tuneShortLived()
			return runLint(c.Context(), proc, o, args)
		},
	}
	fs := c.Flags()
	fs.StringVarP(&o.dir, "directory", "C", ".", "the repository: where workflows are found, and what file names are relative to")
	fs.StringVar(&o.format, "format", "text", "output format: text (file:line:col: severity: message [rule]) or json")
	fs.BoolVar(&o.strict, "strict", false, "exit 1 on warnings too, not only on errors")
	fs.StringSliceVar(&o.labels, "label", nil, "a label of the runner, NAME or NAME:SCHEMA (repeatable, or comma-separated); runs-on must use only these")
	fs.StringVarP(&o.config, "config", "c", "", "the runner's config file, for its labels (runner.labels, else those of runner.file)")
	fs.StringArrayVar(&o.vars, "var", nil, "a configuration variable that exists, NAME or NAME=VALUE (repeatable); vars.NAME of any other is reported")
	fs.SortFlags = false
	return c
}

// runLint checks the workflows and prints what it finds.
func runLint(_ context.Context, proc Process, o *lintOptions, paths []string) error {
	if o.format != "text" && o.format != "json" {
		return usageErrorf("--format %q: use text or json", o.format)
	}
	dir, err := localrun.SourceDir(o.dir)
	if err != nil {
		return err
	}
	opts, err := o.lintOptions()
	if err != nil {
		return err
	}
	res, err := localrun.Lint(dir, paths, opts)
	if err != nil {
		return err
	}
	findings := res.Findings
	if err := console.PrintFindings(proc.Stdout, o.format, findings); err != nil {
		return err
	}
	if len(findings) == 0 {
		return nil
	}
	count := console.CountFindings(findings)
	summary := fmt.Sprintf("%s in %d of %d workflow files", count, res.Bad, res.Files)
	if count.Errors == 0 && !o.strict {
		if o.format == "text" {
			fmt.Fprintf(proc.Stderr, "anvil: %s; they do not stop a run (--strict fails on them)\n", summary)
		}
		return nil
	}
	return &exitError{code: ExitFailed, err: errors.New(summary)}
}

// lintOptions builds the linter's options from the flags.
func (o *lintOptions) lintOptions() (lint.Options, error) {
	opts := lint.Options{Warnings: true}
	switch {
	case len(o.labels) > 0:
		opts.Labels = o.labels
	case o.config != "":
		labels, err := runnerConfigLabels(o.config)
		if err != nil {
			return opts, usageError(err)
		}
		opts.Labels = labels
	}
	for _, v := range o.vars {
		name, _, _ := strings.Cut(v, "=")
		if name == "" {
			return opts, usageErrorf("--var %q: give a variable name", v)
		}
		opts.ConfigVars = append(opts.ConfigVars, name)
	}
	return opts, nil
}
