package runner

import (
	"context"
	"fmt"
	"strings"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"

	"codeberg.org/anvil-ci/anvil/executor"
)

// Limits the forge puts on outputs; larger ones are dropped there, so
// they are not sent.
const (
	maxOutputKey   = 255
	maxOutputValue = 1 << 20
)

// close ends the task with result: it adds last as the final row (so the
// request that closes the log always carries a row), gives unfinished
// steps a result, saves the state and has the sender finish the report.
func (r *reporter) close(result runnerv1.Result, last string) {
	r.mu.Lock()
	var dropped []string
	kept := make(map[string]string, len(r.st.Outputs))
	for k, v := range r.st.Outputs {
		if len(k) > maxOutputKey || len(v) > maxOutputValue {
			dropped = append(dropped, k)
			continue
		}
		kept[k] = v
	}
	r.st.Outputs = kept
	r.mu.Unlock()
	for _, k := range dropped {
		r.Line("warning", fmt.Sprintf("output %.40q is too large for the forge (keys up to %d bytes, values up to 1 MiB); it is not sent", k, maxOutputKey))
	}
	// From here on only the closing request may carry rows: the last one
	// must go with no_more, or the log would never be closed. The last
	// row, the result and closing change together: a sender that saw
	// closing before the last row was spooled would close the log
	// without it and report a result that was not set yet.
	content := rowContent(executor.Event{Line: r.masker.Mask(last)})
	r.mu.Lock()
	now := r.now()
	r.closeAt = r.rows
	r.appendRow(now, content)
	r.closing = true
	r.open = -1
	r.st.Result = result
	r.st.StoppedAt = now
	r.st.finishSteps(result, now)
	r.ended = true
	r.dirty = true
	r.changedSinceSave.Store(true)
	r.mu.Unlock()
	r.saveState()
	r.poke()
}

// wait blocks until the sender is done or ctx ends.
func (r *reporter) wait(ctx context.Context) bool {
	select {
	case <-r.done:
		return true
	case <-ctx.Done():
		return false
	}
}

// maxSummary bounds the step summaries kept for the log, as GitHub
// bounds a step's summary (1 MiB).
const maxSummary = 1 << 20

// addSummary keeps a step's summary (Markdown, masked by the engine).
func (r *reporter) addSummary(md string) {
	if md == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.summary.Len()+len(md) > maxSummary {
		return
	}
	r.summary.WriteString(md)
	if !strings.HasSuffix(md, "\n") {
		r.summary.WriteByte('\n')
	}
}

// summaryRows adds the job's step summaries to the log, folded: the forge
// has no place for them.
func (r *reporter) summaryRows(t time.Time, md string) {
	if md == "" {
		return
	}
	r.line(t, "##[group]Job summary (Markdown)")
	for l := range strings.Lines(md) {
		r.line(t, strings.TrimRight(l, "\r\n"))
	}
	r.line(t, "##[endgroup]")
}
