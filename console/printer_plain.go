package console

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"codeberg.org/anvil-ci/anvil/executor"
)

// plainPrinter prints one stable, greppable line per event, prefixed by
// [workflow/job].
type plainPrinter struct {
	mu sync.Mutex
	w  io.Writer
}

func newPlainPrinter(w io.Writer) *plainPrinter {
	return &plainPrinter{w: w}
}

// Emit prints e.
func (p *plainPrinter) Emit(e executor.Event) {
	lines := plainLines(e)
	if len(lines) == 0 {
		return
	}
	prefix := "[" + jobLabel(e) + "] "
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(prefix)
		b.WriteString(l)
		b.WriteByte('\n')
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	io.WriteString(p.w, b.String())
}

// Finish does nothing: every event already has its line.
func (p *plainPrinter) Finish() {}

// plainLines renders e without its prefix.
func plainLines(e executor.Event) []string {
	switch e.Kind {
	case executor.EventWorkflowStart:
		return []string{"▶ workflow " + e.Workflow}
	case executor.EventJobStart:
		return []string{"▶ job: " + firstNonEmpty(e.JobName, e.Job)}
	case executor.EventStepStart:
		return []string{"▶ " + stepTitle(e) + ": " + e.StepName}
	case executor.EventLog:
		switch e.Level {
		case "group":
			return []string{"  ▸ " + e.Line}
		case "endgroup":
			return nil
		case "":
			return []string{"  | " + e.Line}
		}
		return []string{"  | " + e.Level + ": " + e.Line}
	case executor.EventStepEnd:
		lines := []string{endLine(stepTitle(e), e)}
		for _, l := range splitLines(e.Summary) {
			lines = append(lines, "  summary: "+l)
		}
		return lines
	case executor.EventJobEnd:
		lines := []string{endLine("job", e)}
		for _, k := range sortedKeys(e.Outputs) {
			lines = append(lines, "  output "+k+"="+e.Outputs[k])
		}
		return lines
	case executor.EventWorkflowEnd:
		return []string{endLine("workflow", e)}
	}
	return nil
}

// endLine is "✓ what result (1.2s)" with the outcome when it differs and
// the error when there is one.
func endLine(what string, e executor.Event) string {
	detail := formatDuration(e.Duration)
	if e.Outcome != "" && e.Outcome != e.Result {
		detail += ", outcome " + string(e.Outcome)
	}
	line := fmt.Sprintf("%s %s %s (%s)", resultSymbol(e.Result), what, e.Result, detail)
	if e.Error != "" {
		line += ": " + e.Error
	}
	return line
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
