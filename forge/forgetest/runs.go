package forgetest

import (
	"crypto/sha1"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// RunSpec is an event on a repository of the forge. AddRun creates a run
// of every workflow the event triggers, with the jobs Gitea 1.25.4 would
// create for it.
type RunSpec struct {
	// Workflows are the repository's workflow files by name ("ci.yml"),
	// as in .gitea/workflows/ at the event's commit.
	Workflows map[string]string
	// EventName is the event: push (the default), pull_request,
	// pull_request_target, workflow_dispatch, or any other name (which
	// triggers the workflows whose on: names it, without filters).
	EventName string
	// Workflow is the file a workflow_dispatch runs (required for it).
	Workflow string
	// Ref is the ref of the event. Defaults: refs/heads/main; for a pull
	// request refs/pull/<number>/head. A workflow_dispatch takes it as the
	// user gives it ("main" or a full ref).
	Ref string
	// Sha is the commit; default a fixed fake sha. Before is a push's
	// previous head (default zeros: a new branch).
	Sha, Before string
	// PullRequest describes the pull request of a pull request event.
	PullRequest PullRequest
	// Inputs are the inputs a workflow_dispatch posts. As Gitea, the forge
	// keeps only the workflow's declared inputs, with their defaults for
	// those not given, all as strings.
	Inputs map[string]string
	// Event adds to or overrides top-level keys of the webhook payload
	// the forge builds (github.event); a nil value removes a key.
	Event map[string]any
	// ChangedFiles are the files the event changed, for paths filters
	// (none: a paths filter never matches, except on a tag, where Gitea
	// ignores it).
	ChangedFiles []string
	// Actor is the user who caused the event (default forgetest) and
	// Repository the repository (default forgetest/repo).
	Actor, Repository string
	// Secrets and Vars are the repository's; every job gets all of them,
	// and the job token as GITHUB_TOKEN and GITEA_TOKEN.
	Secrets, Vars map[string]string
}

// runState is a run inside the server; guarded by Server.mu.
type runState struct {
	info    runInfo
	secrets map[string]string
	vars    map[string]string
	jobs    []*taskState // in Gitea's job order
}

// defaultSHA is the commit of a RunSpec without one.
var defaultSHA = func() string {
	sum := sha1.Sum([]byte("forgetest commit"))
	return hex.EncodeToString(sum[:])
}()

// AddRun creates the runs the event triggers, in the order of the
// workflow files' names, and returns their snapshots. A job without needs
// is waiting at once; one with needs is blocked until every job it needs
// (every matrix combination of it) is done, then waiting, or skipped
// without being handed out when one of them did not succeed and the job
// has no if:. A workflow Gitea would not create a run for (one that does
// not parse, an exclude key the matrix lacks, a type Gitea's parser
// rejects) fails the test.
func (s *Server) AddRun(spec RunSpec) []RunRecord {
	s.tb.Helper()
	spec = spec.withDefaults()
	ev := runEvent{name: spec.EventName, ref: spec.Ref, base: spec.PullRequest.Base, action: spec.PullRequest.Action, changed: spec.ChangedFiles}
	var out []RunRecord
	for _, file := range sortedKeys(spec.Workflows) {
		content := []byte(spec.Workflows[file])
		var events []string
		if spec.EventName == "workflow_dispatch" {
			if file == spec.Workflow {
				events = []string{spec.EventName}
			}
		} else {
			triggers, err := triggersOf(content)
			if err != nil {
				continue // Gitea ignores a workflow whose on: it cannot read
			}
			for _, t := range triggers {
				if t.matches(ev) {
					events = append(events, t.name)
				}
			}
		}
		for _, name := range events {
			out = append(out, s.addRun(spec, file, name, content))
		}
	}
	if spec.EventName == "workflow_dispatch" && len(out) == 0 {
		s.tb.Fatalf("forgetest: AddRun: workflow_dispatch of %q, which is not among the workflows", spec.Workflow)
	}
	return out
}

func (spec RunSpec) withDefaults() RunSpec {
	if spec.EventName == "" {
		spec.EventName = "push"
	}
	if spec.Actor == "" {
		spec.Actor = "forgetest"
	}
	if spec.Repository == "" {
		spec.Repository = "forgetest/repo"
	}
	if spec.Sha == "" {
		spec.Sha = defaultSHA
	}
	if spec.Before == "" {
		spec.Before = zeroSHA
	}
	if strings.HasPrefix(spec.EventName, "pull_request") {
		spec.PullRequest = spec.PullRequest.withDefaults()
		if spec.Ref == "" {
			spec.Ref = "refs/pull/" + strconv.Itoa(spec.PullRequest.Number) + "/head"
		}
	}
	if spec.Ref == "" {
		spec.Ref = "refs/heads/main"
	}
	return spec
}

// addRun creates one run of a workflow; it fails the test when Gitea
// would not create it.
func (s *Server) addRun(spec RunSpec, file, trigger string, content []byte) RunRecord {
	s.tb.Helper()
	p := newPayloads(s.URL(), spec.Repository)
	ref := spec.Ref
	var inputs map[string]any
	var event map[string]any
	switch spec.EventName {
	case "push":
		event = p.push(spec.Ref, spec.Before, spec.Sha, spec.Actor)
	case "pull_request", "pull_request_target":
		event = p.pullRequest(spec.PullRequest, spec.Sha, spec.Actor)
	case "workflow_dispatch":
		inputs = dispatchInputs(content, spec.Inputs)
		event = p.dispatch(file, spec.Ref, inputs, spec.Actor)
		if !strings.HasPrefix(ref, "refs/") {
			ref = "refs/heads/" + ref
		}
	default:
		event = p.other(spec.Actor)
	}
	for k, v := range spec.Event {
		if v == nil {
			delete(event, k)
		} else {
			event[k] = v
		}
	}
	event, err := jsonMap(event)
	if err != nil {
		s.tb.Fatalf("forgetest: AddRun: Event: %v", err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastRunID++
	r := &runState{
		info: runInfo{
			id: s.lastRunID, index: s.lastRunID, workflow: file, triggerEvent: trigger,
			ref: ref, sha: spec.Sha, actor: spec.Actor, repository: spec.Repository, event: event,
		},
		secrets: maps.Clone(spec.Secrets), vars: maps.Clone(spec.Vars),
	}
	env := exprEnv{github: githubContext(s.giteaContext(r.info, "", 0)), vars: r.vars, inputs: inputs}
	if spec.EventName == "workflow_dispatch" {
		env.vars = nil // Gitea parses a dispatched workflow without vars
	}
	jobs, err := renderWorkflow(content, env)
	if err != nil {
		s.tb.Fatalf("forgetest: AddRun: Gitea would not create a run of %s: %v", file, err)
	}
	if spec.EventName == "push" || spec.EventName == "workflow_dispatch" {
		s.cancelPrevious(r.info)
	}
	now := time.Now()
	for _, j := range jobs {
		t := s.newJob(now)
		t.run, t.runID = r, r.info.id
		t.job = jobInfo{id: j.id, runsOn: j.runsOn, steps: j.steps, hasIf: j.hasIf}
		t.payload, t.name, t.matrix, t.needIDs = j.payload, j.name, j.matrix, j.needs
		if len(j.needs) == 0 {
			t.status = StatusWaiting
			t.readyAt = s.tick()
		} else {
			t.status = StatusBlocked
		}
		r.jobs = append(r.jobs, t)
	}
	s.runs[r.info.id] = r
	if slices.ContainsFunc(r.jobs, func(t *taskState) bool { return t.status == StatusWaiting }) {
		s.bumpVersion()
	}
	s.resolve(now)
	s.notify()
	return r.record()
}

// dispatchInputs are the inputs a workflow_dispatch keeps: each declared
// input, given or its default, as a string.
func dispatchInputs(content []byte, given map[string]string) map[string]any {
	var wf struct {
		On struct {
			Dispatch struct {
				Inputs map[string]struct {
					Default string `yaml:"default"`
				} `yaml:"inputs"`
			} `yaml:"workflow_dispatch"`
		} `yaml:"on"`
	}
	_ = yaml.Unmarshal(content, &wf) // a workflow without inputs has none
	inputs := map[string]any{}
	for name, in := range wf.On.Dispatch.Inputs {
		if v, ok := given[name]; ok {
			inputs[name] = v
		} else {
			inputs[name] = in.Default
		}
	}
	return inputs
}

// cancelPrevious cancels the jobs not done of earlier runs of the same
// workflow, ref and event, as Gitea does for a push or a dispatch; s.mu
// held.
func (s *Server) cancelPrevious(info runInfo) {
	now := time.Now()
	for _, r := range s.runs {
		if r.info.workflow != info.workflow || r.info.ref != info.ref || r.info.triggerEvent != info.triggerEvent {
			continue
		}
		for _, t := range r.jobs {
			if !t.status.Done() {
				t.stop(StatusCancelled, now)
			}
		}
	}
}

// tick is the forge's clock for the order of waiting jobs; s.mu held.
func (s *Server) tick() int64 {
	s.clock++
	return s.clock
}

// newJob adds a job or task in creation order; s.mu held.
func (s *Server) newJob(now time.Time) *taskState {
	s.lastJobSeq++
	t := newTaskState(0)
	t.seq, t.created = s.lastJobSeq, now
	s.jobs = append(s.jobs, t)
	return t
}
