package console

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
)

// fixedEvents is a run of two workflows' jobs with every kind of event:
// groups, levels, a failing step with a folded group, continue-on-error,
// a post stage, outputs, a summary and a skipped and a cancelled job.
func fixedEvents() []executor.Event {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	const wf = ".forgejo/workflows/ci.yml"
	ev := func(kind executor.EventKind, s int, job string, step int) executor.Event {
		return executor.Event{Kind: kind, Time: at(s), Workflow: wf, Job: job, Step: step}
	}
	log := func(s int, job string, step int, level, line string) executor.Event {
		e := ev(executor.EventLog, s, job, step)
		e.Level, e.Line = level, line
		return e
	}
	end := func(kind executor.EventKind, s int, job string, step int, r executor.Result, d time.Duration) executor.Event {
		e := ev(kind, s, job, step)
		e.Result, e.Duration = r, d
		return e
	}
	named := func(e executor.Event, job, step string) executor.Event {
		e.JobName, e.StepName = job, step
		return e
	}
	var out []executor.Event
	add := func(es ...executor.Event) { out = append(out, es...) }

	add(executor.Event{Kind: executor.EventWorkflowStart, Time: at(0), Workflow: wf, Step: -1})
	add(named(ev(executor.EventJobStart, 0, "build", -1), "Build", ""))
	add(log(0, "build", -1, "", "Runner: anvil-exec (Linux X64)"))
	add(named(ev(executor.EventStepStart, 0, "build", 0), "Build", "Run make"))
	add(log(0, "build", 0, "group", "Run make"))
	add(log(0, "build", 0, "", "make"))
	add(log(0, "build", 0, "endgroup", ""))
	add(log(1, "build", 0, "", "go build ./..."))
	add(log(1, "build", 0, "warning", "deprecated flag"))
	s := named(end(executor.EventStepEnd, 1, "build", 0, executor.ResultSuccess, 1200*time.Millisecond), "Build", "Run make")
	s.Outcome = executor.ResultSuccess
	s.Summary = "## Build\n\n- binary: **bin/anvil**\n- size: `12 MB`\n\n| os | arch |\n| --- | --- |\n| linux | amd64 |\n"
	add(s)
	add(named(ev(executor.EventStepStart, 1, "test (1.22)", 0), "Test 1.22", "Run go test"))
	add(log(1, "test (1.22)", 0, "group", "Details"))
	add(log(2, "test (1.22)", 0, "", "=== RUN TestA"))
	add(log(2, "test (1.22)", 0, "error", "TestA failed"))
	add(log(2, "test (1.22)", 0, "endgroup", ""))
	s = named(end(executor.EventStepEnd, 3, "test (1.22)", 0, executor.ResultFailure, 2*time.Second), "Test 1.22", "Run go test")
	s.Outcome, s.Error = executor.ResultFailure, "exit status 1"
	add(s)
	add(named(ev(executor.EventStepStart, 3, "build", 1), "Build", "Lint"))
	s = named(end(executor.EventStepEnd, 4, "build", 1, executor.ResultSuccess, 500*time.Millisecond), "Build", "Lint")
	s.Outcome = executor.ResultFailure
	add(s)
	post := named(ev(executor.EventStepStart, 4, "build", 0), "Build", "Run actions/cache@v4")
	post.Stage = "post"
	add(post)
	post = named(end(executor.EventStepEnd, 4, "build", 0, executor.ResultSuccess, 100*time.Millisecond), "Build", "Run actions/cache@v4")
	post.Stage, post.Outcome = "post", executor.ResultSuccess
	add(post)
	j := named(end(executor.EventJobEnd, 5, "build", -1, executor.ResultSuccess, 3400*time.Millisecond), "Build", "")
	j.Outputs = map[string]string{"version": "1.2.3", "artifact": "bin/anvil"}
	add(j)
	add(named(end(executor.EventJobEnd, 5, "test (1.22)", -1, executor.ResultFailure, 4*time.Second), "Test 1.22", ""))
	add(named(end(executor.EventJobEnd, 5, "deploy", -1, executor.ResultSkipped, 0), "Deploy", ""))
	cancelled := named(end(executor.EventJobEnd, 95, "release", -1, executor.ResultCancelled, 90*time.Second), "Release", "")
	cancelled.Error = "the run was cancelled"
	add(cancelled)
	add(executor.Event{Kind: executor.EventWorkflowEnd, Time: at(95), Workflow: wf, Step: -1, Result: executor.ResultFailure, Duration: 95 * time.Second})
	return out
}

func TestPrinterGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		kind   Kind
		color  bool
		golden string
	}{
		{name: "plain", kind: Plain, golden: "printer/plain.golden"},
		{name: "json", kind: JSON, golden: "printer/json.golden"},
		{name: "terminal", kind: Terminal, golden: "printer/terminal.golden"},
		{name: "terminal with colour", kind: Terminal, color: true, golden: "printer/terminal-color.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			p := New(&buf, tt.kind, Style{Color: tt.color})
			for _, e := range fixedEvents() {
				p.Emit(e)
			}
			p.Finish()
			checkGolden(t, tt.golden, buf.Bytes())
		})
	}
}

func TestChoose(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		out       Output
		wantKind  string
		wantColor bool
	}{
		{name: "pipe gives plain lines", wantKind: "*console.plainPrinter"},
		{name: "terminal gives colours", out: Output{Terminal: true}, wantKind: "*console.termPrinter", wantColor: true},
		{name: "NO_COLOR turns colours off", out: Output{Terminal: true, NoColor: true}, wantKind: "*console.termPrinter"},
		{name: "json wins over the terminal", out: Output{Terminal: true, JSON: true}, wantKind: "*console.jsonPrinter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := Choose(io.Discard, tt.out)
			if got := fmt.Sprintf("%T", p); got != tt.wantKind {
				t.Errorf("Choose() = %s, want %s", got, tt.wantKind)
			}
			if tp, ok := p.(*termPrinter); ok && tp.st.Color != tt.wantColor {
				t.Errorf("Choose() colour = %v, want %v", tp.st.Color, tt.wantColor)
			}
		})
	}
}

// TestPrintersConcurrent checks that parallel jobs never tear lines apart.
func TestPrintersConcurrent(t *testing.T) {
	t.Parallel()
	for _, kind := range []Kind{Plain, JSON, Terminal} {
		var buf bytes.Buffer
		p := New(&buf, kind, Style{})
		var wg sync.WaitGroup
		for j := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 200 {
					p.Emit(executor.Event{Kind: executor.EventLog, Workflow: "ci.yml", Job: fmt.Sprintf("job%d", j), Line: fmt.Sprintf("line %d of job%d", i, j)})
				}
			}()
		}
		wg.Wait()
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		if len(lines) != 8*200 {
			t.Errorf("printer %d wrote %d lines, want %d", kind, len(lines), 8*200)
		}
		for _, l := range lines {
			if strings.Count(l, "line ") != 1 {
				t.Errorf("printer %d tore a line: %q", kind, l)
				break
			}
		}
	}
}
