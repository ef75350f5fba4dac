package console

import (
	"fmt"
	"hash/fnv"
	"strings"
	"time"
	"unicode/utf8"

	"codeberg.org/anvil-ci/anvil/executor"
)

// ANSI SGR codes used by the terminal printer.
const (
	sgrBold   = "1"
	sgrDim    = "2"
	sgrRed    = "31"
	sgrGreen  = "32"
	sgrYellow = "33"
	sgrBlue   = "34"
	sgrCyan   = "36"
)

// jobPalette colours job labels so interleaved lines stay apart.
var jobPalette = [...]string{"36", "35", "34", "33", "32", "96", "95", "94"}

// Style applies ANSI colours when enabled.
type Style struct{ Color bool }

// paint wraps s in the SGR code when colours are on.
func (st Style) paint(code, s string) string {
	if !st.Color || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// jobColor picks a stable palette colour for a label.
func jobColor(label string) string {
	h := fnv.New32a()
	h.Write([]byte(label))
	return jobPalette[h.Sum32()%uint32(len(jobPalette))]
}

// resultSymbol is the mark of a result: ✓ ✗ ⊘ ⊗.
func resultSymbol(r executor.Result) string {
	switch r {
	case executor.ResultSuccess:
		return "✓"
	case executor.ResultFailure:
		return "✗"
	case executor.ResultSkipped:
		return "⊘"
	case executor.ResultCancelled:
		return "⊗"
	}
	return "?"
}

// resultColor is the colour of a result's symbol.
func resultColor(r executor.Result) string {
	switch r {
	case executor.ResultSuccess:
		return sgrGreen
	case executor.ResultFailure:
		return sgrRed
	case executor.ResultCancelled:
		return sgrYellow
	}
	return sgrDim
}

// formatDuration prints d with one decimal under a minute, else rounded to
// seconds: 0.3s, 12.0s, 1m5s.
func formatDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// workflowLabel shortens a workflow file to its base name without
// extension: .forgejo/workflows/ci.yml is "ci".
func workflowLabel(file string) string {
	if i := strings.LastIndexAny(file, `/\`); i >= 0 {
		file = file[i+1:]
	}
	if i := strings.LastIndexByte(file, '.'); i > 0 {
		file = file[:i]
	}
	return file
}

// jobLabel is workflow/job, the prefix of a job's lines.
func jobLabel(e executor.Event) string {
	if e.Job == "" {
		return workflowLabel(e.Workflow)
	}
	return workflowLabel(e.Workflow) + "/" + e.Job
}

// stepTitle is "step N" with the stage when it is not main.
func stepTitle(e executor.Event) string {
	t := fmt.Sprintf("step %d", e.Step+1)
	if e.Stage != "" && e.Stage != "main" {
		t += " (" + e.Stage + ")"
	}
	return t
}

// padRight pads s with spaces to width runes.
func padRight(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}
