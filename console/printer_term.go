package console

import (
	"io"
	"strings"
	"sync"

	"codeberg.org/anvil-ci/anvil/executor"
)

// termPrinter shows progress for a person at a terminal: jobs and steps as
// they start and end, logs indented under their step, ::group:: blocks
// folded unless their step fails, and a summary at the end. Every line
// starts with the job's label so parallel jobs can interleave.
type termPrinter struct {
	mu   sync.Mutex
	w    io.Writer
	st   Style
	jobs map[string]*termJob
	// order lists job labels as they started, for the summary.
	order []string
}

// termJob is what the printer remembers about one job.
type termJob struct {
	label string
	// depth is how many ::group:: blocks are open in the current step.
	depth int
	// folded holds the current step's hidden group lines, titles
	// included, to print if the step fails.
	folded []foldedLine
	// end is the job_end event, once seen.
	end *executor.Event
	// summaries are the step summaries in the order steps ended.
	summaries []string
}

// foldedLine is one hidden line: a group title or a line in a group.
type foldedLine struct {
	title bool
	text  string
	level string
}

func newTermPrinter(w io.Writer, st Style) *termPrinter {
	return &termPrinter{w: w, st: st, jobs: map[string]*termJob{}}
}

// Emit prints e.
func (p *termPrinter) Emit(e executor.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	switch e.Kind {
	case executor.EventWorkflowStart:
		out = []string{p.st.paint(sgrBold, "▶ workflow "+e.Workflow)}
	case executor.EventWorkflowEnd:
		out = []string{p.st.paint(resultColor(e.Result), resultSymbol(e.Result)) + " " +
			p.st.paint(sgrBold, "workflow "+workflowLabel(e.Workflow)) + " " + p.resultText(e)}
	default:
		out = p.jobLines(p.job(e), e)
	}
	if len(out) > 0 {
		io.WriteString(p.w, strings.Join(out, "\n")+"\n")
	}
}

// job returns the state of e's job, creating it on first sight.
func (p *termPrinter) job(e executor.Event) *termJob {
	label := jobLabel(e)
	j, ok := p.jobs[label]
	if !ok {
		j = &termJob{label: label}
		p.jobs[label] = j
		p.order = append(p.order, label)
	}
	return j
}

// jobLines renders one job event, each line prefixed with the job label.
func (p *termPrinter) jobLines(j *termJob, e executor.Event) []string {
	var body []string
	switch e.Kind {
	case executor.EventJobStart:
		body = []string{p.st.paint(sgrBlue, "▶") + " " + p.st.paint(sgrBold, firstNonEmpty(e.JobName, e.Job))}
	case executor.EventStepStart:
		j.depth, j.folded = 0, nil
		body = []string{"  " + p.st.paint(sgrBlue, "▶") + " " + e.StepName + p.stage(e)}
	case executor.EventLog:
		body = p.logLines(j, e)
	case executor.EventStepEnd:
		if e.Result == executor.ResultFailure || e.Outcome == executor.ResultFailure {
			body = p.unfold(j, e)
		}
		j.depth, j.folded = 0, nil
		body = append(body, "  "+p.st.paint(resultColor(e.Result), resultSymbol(e.Result))+" "+e.StepName+p.stage(e)+" "+p.resultText(e))
		if s := strings.TrimSpace(e.Summary); s != "" {
			j.summaries = append(j.summaries, s)
		}
	case executor.EventJobEnd:
		end := e
		j.end = &end
		body = []string{p.st.paint(resultColor(e.Result), resultSymbol(e.Result)) + " " +
			p.st.paint(sgrBold, firstNonEmpty(e.JobName, e.Job)) + " " + p.resultText(e)}
	}
	prefix := p.st.paint(jobColor(j.label), j.label) + " " + p.st.paint(sgrDim, "│") + " "
	for i, l := range body {
		body[i] = prefix + l
	}
	return body
}

// logLines renders a log line, hiding it when it is inside a group.
func (p *termPrinter) logLines(j *termJob, e executor.Event) []string {
	indent := "      "
	if e.Step < 0 {
		indent = "    "
	}
	switch e.Level {
	case "group":
		j.depth++
		j.folded = append(j.folded, foldedLine{title: true, text: e.Line})
		if j.depth > 1 {
			return nil
		}
		return []string{indent + p.st.paint(sgrCyan, "▸ "+e.Line)}
	case "endgroup":
		j.depth = max(0, j.depth-1)
		return nil
	}
	if j.depth > 0 && e.Level != "error" && e.Level != "warning" {
		j.folded = append(j.folded, foldedLine{text: e.Line, level: e.Level})
		return nil
	}
	return []string{indent + p.logText(e.Line, e.Level)}
}

// unfold prints the hidden group lines of a failed step.
func (p *termPrinter) unfold(j *termJob, e executor.Event) []string {
	var out []string
	for _, f := range j.folded {
		if f.title {
			out = append(out, "      "+p.st.paint(sgrCyan, "▾ "+f.text)+p.st.paint(sgrDim, " (unfolded: the step failed)"))
			continue
		}
		out = append(out, "        "+p.logText(f.text, f.level))
	}
	return out
}

// logText colours a log line by its level.
func (p *termPrinter) logText(line, level string) string {
	switch level {
	case "error":
		return p.st.paint(sgrRed, "error: "+line)
	case "warning":
		return p.st.paint(sgrYellow, "warning: "+line)
	case "notice":
		return p.st.paint(sgrCyan, "notice: "+line)
	case "debug":
		return p.st.paint(sgrDim, "debug: "+line)
	}
	return line
}

// stage marks pre and post stages.
func (p *termPrinter) stage(e executor.Event) string {
	if e.Stage == "" || e.Stage == "main" {
		return ""
	}
	return p.st.paint(sgrDim, " ("+e.Stage+")")
}

// resultText is "result (1.2s)" plus outcome and error when set.
func (p *termPrinter) resultText(e executor.Event) string {
	s := p.st.paint(resultColor(e.Result), string(e.Result)) + " " + p.st.paint(sgrDim, "("+formatDuration(e.Duration)+")")
	if e.Outcome != "" && e.Outcome != e.Result {
		s += p.st.paint(sgrDim, " continue-on-error; outcome "+string(e.Outcome))
	}
	if e.Error != "" {
		s += ": " + p.st.paint(sgrRed, e.Error)
	}
	return s
}
