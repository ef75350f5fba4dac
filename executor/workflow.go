package executor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"

	"codeberg.org/anvil-ci/anvil/pipeline/expr"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// maxWorkflowDepth is how deep reusable workflows may nest, the
// top-level caller included: GitHub's documented limit is ten levels of
// workflows (it was four until 2025).
const maxWorkflowDepth = 10

// errFailFast is the cause given to matrix siblings cancelled by fail-fast.
var errFailFast = errors.New("cancelled by fail-fast: another job of the matrix failed")

// workflowRun runs the jobs of one workflow, or of a reusable workflow
// called by a job.
type workflowRun struct {
	engine  *Engine
	wf      *plan.Workflow
	prefix  string
	inputs  map[string]any
	secrets map[string]string
	depth   int

	mu       sync.Mutex
	outcomes map[string]*jobOutcome
	results  []*JobResult
}

// jobOutcome is a job's combined result over its matrix, as needs sees it.
type jobOutcome struct {
	done    chan struct{}
	result  Result
	outputs map[string]string
}

// run runs all jobs, each when its needs are done, and returns their results.
func (w *workflowRun) run(ctx context.Context) []*JobResult {
	w.outcomes = make(map[string]*jobOutcome, len(w.wf.Jobs))
	for _, j := range w.wf.Jobs {
		w.outcomes[j.ID] = &jobOutcome{done: make(chan struct{})}
	}
	var wg sync.WaitGroup
	for _, j := range w.wf.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := w.outcomes[j.ID]
			defer close(out.done)
			for _, n := range j.Needs {
				if dep, ok := w.outcomes[n]; ok {
					<-dep.done
				}
			}
			out.result, out.outputs = w.runJob(ctx, j)
		}()
	}
	wg.Wait()
	return w.results
}

func (w *workflowRun) addResult(r *JobResult) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.results = append(w.results, r)
}

// needsStatus gives the needs context of a job and the status its if: sees.
func (w *workflowRun) needsStatus(j *plan.Job) (map[string]expr.NeedResult, expr.Status) {
	needs := map[string]expr.NeedResult{}
	var st expr.Status
	for _, n := range j.Needs {
		if o, ok := w.outcomes[n]; ok {
			needs[n] = expr.NeedResult{Result: string(o.result), Outputs: o.outputs}
			continue
		}
		// A job of the same run that ran elsewhere (a forge task's needs).
		if r, ok := w.engine.cfg.Needs[n]; ok && w.depth == 0 {
			needs[n] = expr.NeedResult{Result: string(r.Result), Outputs: r.Outputs}
			switch r.Result {
			case ResultFailure:
				st.Failed = true
			case ResultSuccess:
			case ResultCancelled:
				// The run was cancelled: cancelled() is true for this job.
				st.Cancelled = true
			default:
				st.Skipped = true
			}
		}
	}
	seen := map[string]bool{}
	var walk func(ids []string)
	walk = func(ids []string) {
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			o, ok := w.outcomes[id]
			if !ok {
				continue
			}
			switch o.result {
			case ResultFailure:
				st.Failed = true
			case ResultSuccess:
			default:
				st.Skipped = true
			}
			for _, dj := range w.wf.Jobs {
				if dj.ID == id {
					walk(dj.Needs)
				}
			}
		}
	}
	walk(j.Needs)
	return needs, st
}

// baseContexts are the contexts available to job-level expressions.
func (w *workflowRun) baseContexts(needs map[string]expr.NeedResult) *expr.Contexts {
	e := w.engine
	return &expr.Contexts{
		Github:  e.cfg.Github,
		Vars:    e.cfg.Vars,
		Secrets: w.secrets,
		Inputs:  w.inputs,
		Needs:   needs,
		Env:     map[string]string{},
	}
}

// runJob runs one job of the workflow over its whole matrix and returns
// the outcome dependents see.
func (w *workflowRun) runJob(ctx context.Context, j *plan.Job) (Result, map[string]string) {
	e := w.engine
	needs, status := w.needsStatus(j)
	status.Cancelled = status.Cancelled || ctx.Err() != nil
	c := w.baseContexts(needs)
	c.Status = status
	key := w.prefix + j.ID
	name := j.Name
	if name == "" {
		name = j.ID
	}
	finish := func(r Result, msg string) (Result, map[string]string) {
		start := e.cfg.Now()
		e.emit(Event{Kind: EventJobStart, Workflow: w.wf.File, Job: key, JobName: name, Step: -1})
		w.logWarnings(key)
		if msg != "" {
			e.emit(Event{Kind: EventLog, Workflow: w.wf.File, Job: key, Step: -1, Level: levelFor(r), Line: msg})
		}
		e.emit(Event{Kind: EventJobEnd, Workflow: w.wf.File, Job: key, JobName: name, Step: -1,
			Result: r, Error: errText(r, msg), Duration: e.since(start)})
		w.addResult(&JobResult{Workflow: w.wf.File, JobID: j.ID, Job: key, Name: name, Result: r, Error: errText(r, msg)})
		return r, nil
	}
	ok, err := c.Condition(j.If, expr.LevelJob)
	if err != nil {
		return finish(ResultFailure, fmt.Sprintf("%s: job %q: evaluating if: %v", posString(j.Pos), j.ID, err))
	}
	if !ok {
		if status.Cancelled {
			return finish(ResultCancelled, "")
		}
		return finish(ResultSkipped, "")
	}
	if status.Cancelled {
		// always() or cancelled() asked for this job to run after a cancel:
		// give it a context of its own that only Kill stops.
		ctx = context.WithoutCancel(ctx)
	}
	combos := []map[string]any{nil}
	failFast, maxParallel := true, 0
	if j.Strategy != nil {
		combos, err = w.expandMatrix(c, j)
		if err != nil {
			return finish(ResultFailure, fmt.Sprintf("%s: job %q: %v", posString(j.Pos), j.ID, err))
		}
		if len(combos) == 0 {
			return finish(ResultSkipped, "the matrix has no combinations")
		}
		if j.Strategy.FailFast != "" {
			v, err := c.Interpolate(j.Strategy.FailFast)
			if err != nil {
				return finish(ResultFailure, fmt.Sprintf("%s: job %q: fail-fast: %v", posString(j.Pos), j.ID, err))
			}
			failFast = !strings.EqualFold(strings.TrimSpace(v), "false")
		}
		if j.Strategy.MaxParallel != "" {
			v, err := c.Interpolate(j.Strategy.MaxParallel)
			if err == nil {
				maxParallel, err = strconv.Atoi(strings.TrimSpace(v))
			}
			if err != nil || maxParallel < 0 {
				return finish(ResultFailure, fmt.Sprintf("%s: job %q: max-parallel must be a positive number (got %q)", posString(j.Pos), j.ID, j.Strategy.MaxParallel))
			}
		}
	}
	if maxParallel == 0 {
		maxParallel = len(combos)
	}
	groupCtx, cancelGroup := context.WithCancelCause(ctx)
	defer cancelGroup(nil)
	slots := make(chan struct{}, maxParallel)
	results := make([]*JobResult, len(combos))
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		outputs = map[string]string{}
	)
	for i, combo := range combos {
		// Take the slot here so that combinations start in matrix order.
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			jr := &jobInstance{w: w, job: j, matrix: combo, needs: needs, key: key, name: name}
			if j.Strategy != nil {
				jr.strategy = map[string]any{"fail-fast": failFast, "job-index": i, "job-total": len(combos), "max-parallel": maxParallel}
				if combo != nil {
					jr.key = key + " " + plan.MatrixSuffix(combo)
				}
			}
			var r *JobResult
			if groupCtx.Err() != nil && context.Cause(groupCtx) == errFailFast {
				r = jr.skipCancelled(errFailFast.Error())
			} else if j.Uses != "" {
				r = w.callWorkflow(groupCtx, jr)
			} else {
				r = jr.run(groupCtx)
			}
			w.addResult(r)
			mu.Lock()
			results[i] = r
			maps.Copy(outputs, r.Outputs)
			mu.Unlock()
			if r.Result == ResultFailure && !r.ContinueOnError && failFast {
				cancelGroup(errFailFast)
			}
		}()
	}
	wg.Wait()
	result := ResultSkipped
	for _, r := range results {
		switch {
		case r.Result == ResultFailure && !r.ContinueOnError:
			result = ResultFailure
		case r.Result == ResultCancelled && result != ResultFailure:
			result = ResultCancelled
		case (r.Result == ResultSuccess || r.Result == ResultFailure) && result == ResultSkipped:
			result = ResultSuccess
		}
	}
	return result, outputs
}

// expandMatrix evaluates the strategy's matrix and expands it.
func (w *workflowRun) expandMatrix(c *expr.Contexts, j *plan.Job) ([]map[string]any, error) {
	if j.Strategy.Matrix == nil {
		return []map[string]any{nil}, nil
	}
	v, err := c.InterpolateValue(j.Strategy.Matrix)
	if err != nil {
		return nil, fmt.Errorf("evaluating strategy.matrix: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("strategy.matrix must be a mapping, got %s", expr.ToString(v))
	}
	combos, err := plan.ExpandMatrix(m)
	if err != nil {
		return nil, fmt.Errorf("expanding strategy.matrix: %w", err)
	}
	return combos, nil
}

func levelFor(r Result) string {
	if r == ResultFailure {
		return "error"
	}
	return ""
}

func errText(r Result, msg string) string {
	if r == ResultFailure {
		return msg
	}
	return ""
}

func posString(p plan.Position) string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}
