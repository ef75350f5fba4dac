package console

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// PrintJobList writes the table of anvil exec -l: the jobs the plan would
// run, in needs order.
func PrintJobList(w io.Writer, p *plan.Plan) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKFLOW\tJOB\tNAME\tNEEDS\tRUNS-ON")
	for _, wf := range p.Workflows {
		for _, j := range wf.Jobs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", wf.File, j.ID, dash(j.Name), dash(strings.Join(j.Needs, ",")), dash(strings.Join(j.RunsOn, ",")))
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("printing the job list: %w", err)
	}
	return nil
}

// dash stands in for an empty cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
