package terraform

import (
	"context"
	"errors"
	"strconv"
)

// DriftResult is what a drift check found.
type DriftResult struct {
	*PlanResult
	// Drift is true when the infrastructure no longer matches the
	// configuration and state (the plan has changes).
	Drift bool
	// Report is the Markdown report, also the step summary.
	Report string
}

// Drift runs terraform-drift: a plan without a bundle whose changes are
// drift. It sets drift, report and the plan's counts; with FailOnDrift,
// drift is an error (failure-reason drift) after the outputs are set.
func (a *Action) Drift(ctx context.Context, o DriftOptions) (*DriftResult, error) {
	a.maskPlanSecrets(o.PlanOptions)
	pr, err := a.plan(ctx, o.PlanOptions, false)
	if err != nil {
		return nil, a.fail("Terraform drift check", err)
	}
	res := &DriftResult{PlanResult: pr, Drift: pr.Changes}
	res.Report = driftReport(res)
	reason := ""
	if res.Drift && o.FailOnDrift {
		reason = string(ReasonDrift)
	}
	outs := append(planOutputs(pr), Output{Name: "drift", Value: strconv.FormatBool(res.Drift)}, Output{Name: "report", Value: res.Report}, Output{Name: "failure-reason", Value: reason})
	if err := a.Runtime.SetOutputs(outs); err != nil {
		return res, err
	}
	if err := a.Runtime.AddSummary(res.Report); err != nil {
		return res, err
	}
	if !res.Drift {
		a.Runtime.Printf("No drift: the infrastructure matches the configuration")
		return res, nil
	}
	msg := "drift: " + countsText(pr.Summary.Counts) + "; see the report"
	if !o.FailOnDrift {
		a.Runtime.Command("warning", msg)
		return res, nil
	}
	err = &Failure{Reason: ReasonDrift, Err: errors.New(msg)}
	a.Runtime.Command("error", err.Error())
	return res, err
}
