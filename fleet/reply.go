package fleet

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"codeberg.org/anvil-ci/anvil/forge"
)

// Reply is the queue as anvil fleet queue prints it in JSON and serves it
// on /queue.
type Reply struct {
	forge.Queue
	// Runner is the part of the queue a runner with Labels can take, when
	// runner labels were given.
	Runner *RunnerQueue `json:"runner,omitempty"`
}

// RunnerQueue is the queue of the jobs a runner with Labels can run.
type RunnerQueue struct {
	Labels []string `json:"labels"`
	forge.LabelQueue
}

// NewReply summarises jobs at now, and what of them a runner with
// runnerLabels can run (none given: no Runner part).
func NewReply(jobs []forge.QueuedJob, runnerLabels []string, now time.Time) Reply {
	r := Reply{Queue: forge.SummarizeQueue(jobs, now)}
	if len(runnerLabels) > 0 {
		r.Runner = &RunnerQueue{Labels: runnerLabels, LabelQueue: forge.ForRunner(jobs, runnerLabels, now)}
	}
	return r
}

// Print writes one line per runs-on set, the most queued first, then the
// totals.
func Print(out io.Writer, r Reply) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "QUEUED\tOLDEST\tRUNS-ON")
	groups := slices.Collect(maps.Keys(r.Groups))
	slices.SortFunc(groups, func(a, b string) int {
		return cmp.Or(cmp.Compare(r.Groups[b].Queued, r.Groups[a].Queued), cmp.Compare(a, b))
	})
	for _, g := range groups {
		fmt.Fprintf(w, "%d\t%s\t%s\n", r.Groups[g].Queued, age(r.Groups[g].OldestSeconds), cmp.Or(g, "(none)"))
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("printing the queue: %w", err)
	}
	fmt.Fprintf(out, "%d jobs queued", r.Queued)
	if r.Queued > 0 {
		fmt.Fprintf(out, "; the oldest for %s", age(r.OldestSeconds))
	}
	fmt.Fprintln(out)
	if r.Runner != nil {
		fmt.Fprintf(out, "%d of them can run on a runner with labels %s\n", r.Runner.Queued, strings.Join(r.Runner.Labels, ","))
	}
	return nil
}

func age(seconds float64) string {
	return (time.Duration(seconds) * time.Second).String()
}
