package console

import (
	"fmt"
	"io"
	"strings"

	"codeberg.org/anvil-ci/anvil/executor"
)

// Finish prints the summary table (job, result, duration) and then each
// job's step summaries rendered for the terminal.
func (p *termPrinter) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.order) == 0 {
		return
	}
	var b strings.Builder
	rows := [][]string{{"JOB", "RESULT", "DURATION"}}
	var failed, total int
	for _, label := range p.order {
		j := p.jobs[label]
		result, dur := executor.Result("running"), "-"
		if j.end != nil {
			result, dur = j.end.Result, formatDuration(j.end.Duration)
		}
		total++
		if result != executor.ResultSuccess && result != executor.ResultSkipped {
			failed++
		}
		rows = append(rows, []string{label, resultSymbol(result) + " " + string(result), dur})
	}
	widths := columnWidths(rows)
	fmt.Fprintf(&b, "\n%s\n", p.st.paint(sgrBold, "Summary"))
	for i, row := range rows {
		cells := make([]string, len(row))
		for c, cell := range row {
			cells[c] = padRight(cell, widths[c])
			switch {
			case i == 0:
				cells[c] = p.st.paint(sgrDim, cells[c])
			case c == 1:
				cells[c] = p.st.paint(resultColor(p.jobs[p.order[i-1]].result()), cells[c])
			}
		}
		b.WriteString("  " + strings.TrimRight(strings.Join(cells, "  "), " ") + "\n")
	}
	for _, label := range p.order {
		j := p.jobs[label]
		if len(j.summaries) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s\n", p.st.paint(sgrBold, "Step summary of "+label))
		for _, s := range j.summaries {
			for _, l := range renderMarkdown(s, p.st) {
				b.WriteString(strings.TrimRight("  "+l, " ") + "\n")
			}
		}
	}
	if failed == 0 {
		fmt.Fprintf(&b, "\n%s\n", p.st.paint(sgrGreen, fmt.Sprintf("✓ all %d jobs succeeded", total)))
	} else {
		fmt.Fprintf(&b, "\n%s\n", p.st.paint(sgrRed, fmt.Sprintf("✗ %d of %d jobs did not succeed", failed, total)))
	}
	io.WriteString(p.w, b.String())
}

// result is the job's result, or "running" before job_end.
func (j *termJob) result() executor.Result {
	if j.end == nil {
		return "running"
	}
	return j.end.Result
}

// columnWidths is the widest cell of each column, in runes.
func columnWidths(rows [][]string) []int {
	var widths []int
	for _, row := range rows {
		for c, cell := range row {
			if c >= len(widths) {
				widths = append(widths, 0)
			}
			widths[c] = max(widths[c], len([]rune(cell)))
		}
	}
	return widths
}
