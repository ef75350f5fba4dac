package runner

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/lint"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
	"codeberg.org/anvil-ci/anvil/pipeline/runopt"
)

// taskWorkflow reads the workflow of a task as the forge sent it and
// checks it. What checking finds is on the workflow's Problems, for the
// engine to report in the job's log: errors fail the job before its first
// step, warnings change nothing. A payload that cannot be read at all
// becomes a workflow with the task's job and the reasons as errors.
//
// The payload is first given back what the forge took from the job (see
// restorePayload), so that it is checked as the file in the repository
// would be; the job's needs are the task's.
func taskWorkflow(file string, task *runnerv1.Task, job string, containers runopt.Policy) *plan.Workflow {
	needs := make([]string, 0, len(task.GetNeeds()))
	for id := range task.GetNeeds() {
		needs = append(needs, id)
	}
	slices.Sort(needs)
	data := restorePayload(task.GetWorkflowPayload(), needs)
	problems := lint.Workflow(file, data, lint.Options{Task: true, Containers: containers})
	wf, err := pipeline.ParseTaskWorkflow(file, data)
	if err != nil {
		if !slices.ContainsFunc(problems, plan.Problem.IsError) {
			var perr plan.Errors
			if !errors.As(err, &perr) {
				perr = plan.Errors{{Pos: plan.Position{File: file}, Where: "workflow",
					Message: fmt.Sprintf("the workflow sent by the forge cannot be read: %v", err)}}
			}
			problems = append(problems, perr...)
		}
		if job == "" {
			job = "job"
		}
		return &plan.Workflow{File: file, Jobs: []*plan.Job{{ID: job, Name: job}}, Problems: problems}
	}
	wf.Problems = append(wf.Problems, problems...)
	if len(wf.Jobs) != 1 {
		wf.Problems = append(wf.Problems, plan.Problem{Pos: plan.Position{File: file}, Where: "jobs",
			Message: fmt.Sprintf("the workflow sent by the forge has %d jobs; a task must have exactly one (is the forge a supported Forgejo or Gitea?)", len(wf.Jobs))})
		return wf
	}
	if j := wf.Jobs[0]; len(j.Needs) == 0 {
		j.Needs = needs
	}
	return wf
}

// restorePayload gives the job of a task's payload back what the forge
// took from it, so that it reads as the job in the repository:
//   - needs: the forge removes it and sends the needed jobs' results
//     instead; the task's needs ids are put back;
//   - runs-on: [] that the forge adds to a job calling a reusable
//     workflow is removed;
//   - timeout-minutes, continue-on-error, strategy.fail-fast and
//     strategy.max-parallel that the forge turned into quoted strings
//     ("1", "false") are numbers and booleans again.
//
// Anything it cannot read is returned as it came, and so is a payload over
// pipeline's limits, which no parser may read (checking reports it).
func restorePayload(payload []byte, needs []string) []byte {
	if pipeline.CheckLimits("", payload) != nil {
		return payload
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(payload, &doc); err != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return payload
	}
	jobs := mapValue(doc.Content[0], "jobs")
	if jobs == nil || jobs.Kind != yaml.MappingNode || len(jobs.Content) != 2 || jobs.Content[1].Kind != yaml.MappingNode {
		return payload
	}
	job := jobs.Content[1]
	changed := false
	if len(needs) > 0 && mapValue(job, "needs") == nil {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, id := range needs {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: id})
		}
		job.Content = append(job.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "needs"}, seq)
		changed = true
	}
	if runsOn := mapValue(job, "runs-on"); runsOn != nil && runsOn.Kind == yaml.SequenceNode && len(runsOn.Content) == 0 && mapValue(job, "uses") != nil {
		deleteKey(job, "runs-on")
		changed = true
	}
	scalars := []*yaml.Node{mapValue(job, "timeout-minutes"), mapValue(job, "continue-on-error")}
	if strategy := mapValue(job, "strategy"); strategy != nil {
		scalars = append(scalars, mapValue(strategy, "fail-fast"), mapValue(strategy, "max-parallel"))
	}
	if steps := mapValue(job, "steps"); steps != nil && steps.Kind == yaml.SequenceNode {
		for _, st := range steps.Content {
			scalars = append(scalars, mapValue(st, "timeout-minutes"), mapValue(st, "continue-on-error"))
		}
	}
	for _, n := range scalars {
		changed = unquote(n) || changed
	}
	if !changed {
		return payload
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return payload
	}
	return buf.Bytes()
}

// mapValue returns the value of key in the mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// deleteKey removes key from the mapping n.
func deleteKey(n *yaml.Node, key string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			n.Content = slices.Delete(n.Content, i, i+2)
			return
		}
	}
}

// plainNumber is a decimal number as YAML reads it unquoted.
var plainNumber = regexp.MustCompile(`^-?([0-9]+\.?[0-9]*|\.[0-9]+)$`)

// unquote turns a quoted string scalar that holds a boolean or a number
// into that boolean or number, and reports whether it did; expressions
// and other text stay strings.
func unquote(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return false
	}
	v := strings.TrimSpace(n.Value)
	switch {
	case v == "true" || v == "false":
		n.Tag = "!!bool"
	case plainNumber.MatchString(v) && !strings.Contains(v, "."):
		n.Tag = "!!int"
	case plainNumber.MatchString(v):
		n.Tag = "!!float"
	default:
		return false
	}
	n.Value, n.Style = v, 0
	return true
}
