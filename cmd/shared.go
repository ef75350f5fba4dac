package cmd

import (
	"context"
	"io"

	"codeberg.org/anvil-ci/anvil/internal/interrupt"
	"codeberg.org/anvil-ci/anvil/localrun"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// What the other commands (anvil policy test, config, daemon) share with
// anvil exec, under the names they call.

func sourceDir(dir string) (string, error) { return localrun.SourceDir(dir) }

func readPayload(file string) (map[string]any, error) { return localrun.ReadPayload(file) }

func lintWorkflows(dir, wpath string) ([]localrun.Checked, error) {
	return localrun.LintWorkflows(dir, wpath)
}

func planChecked(checked []localrun.Checked, ev plan.Event, job string, stderr io.Writer) (*plan.Plan, error) {
	return localrun.PlanChecked(checked, ev, job, stderr)
}

// checkedWorkflow is a planned workflow, broken when its jobs fail at once.
type checkedWorkflow struct{ wf *plan.Workflow }

func (c checkedWorkflow) broken() bool { return localrun.Broken(c.wf) }

func parseDotenv(data []byte) (map[string]string, error) { return localrun.ParseDotenv(data) }

func defaultActionCache(proc Process) string { return localrun.DefaultActionCache(proc.getenv) }

func setInterruptNotes(ctx context.Context, first, second string) {
	interrupt.SetNotes(ctx, first, second)
}

func onKill(ctx context.Context, f func()) { interrupt.OnKill(ctx, f) }
