package forgetest

import (
	"errors"
	"fmt"
	"sort"

	"gopkg.in/yaml.v3"
)

// renderedJob is one job of a run as the forge stores it: one job and
// one matrix combination of a workflow, with its payload.
type renderedJob struct {
	id      string
	name    string
	matrix  map[string]any
	needs   []string
	runsOn  []string
	payload []byte
	steps   int
	hasIf   bool
}

// renderWorkflow splits a workflow into the payloads Gitea 1.25.4 stores
// for a run, in job order and, within a job, in the order of its matrix
// combinations' names: each payload is the workflow with that one job,
// its matrix reduced to the one combination, its name and runs-on
// interpolated, its needs removed, re-encoded by yaml.v3. An error is a
// workflow Gitea would not create a run for.
func renderWorkflow(content []byte, env exprEnv) ([]renderedJob, error) {
	var wf payloadWorkflow
	if err := yaml.Unmarshal(content, &wf); err != nil {
		return nil, fmt.Errorf("decoding the workflow: %w", err)
	}
	ids, jobs, raws, err := decodeJobs(&wf.Jobs)
	if err != nil {
		return nil, fmt.Errorf("invalid jobs: %w", err)
	}
	wf.RunName = env.interpolate(wf.RunName, exprScope{})
	needsOf := make(map[string][]string, len(ids))
	for i, id := range ids {
		needsOf[id] = nodeStrings(jobs[i].Needs)
	}
	var out []renderedJob
	for i, id := range ids {
		origin := jobs[i]
		strategy := strategyOf(raws[i], origin.Strategy)
		combos, err := matrixCombinations(strategy, origin.Strategy.Matrix)
		if err != nil {
			return nil, fmt.Errorf("job %q: %w", id, err)
		}
		for _, combo := range combos {
			job := *origin
			if job.Name == "" {
				job.Name = id
			}
			job.Strategy.Matrix = encodeMatrix(combo)
			scope := exprScope{jobID: id, needsOf: needsOf, matrix: combo, strategy: strategy}
			job.Name = nameWithMatrix(job.Name, combo, env, scope)
			runsOn := runsOnOf(origin.RunsOn)
			for k, label := range runsOn {
				runsOn[k] = env.interpolate(label, scope)
			}
			job.RunsOn = encodeRunsOn(runsOn)
			r, err := finishJob(&wf, id, &job)
			if err != nil {
				return nil, fmt.Errorf("job %q: %w", id, err)
			}
			r.matrix = combo
			out = append(out, r)
		}
	}
	return out, nil
}

// finishJob does what Gitea does between parsing and storing a job: the
// job is encoded into the single-job workflow, read back, stripped of its
// needs, encoded again, and the workflow marshalled.
func finishJob(wf *payloadWorkflow, id string, job *payloadJob) (renderedJob, error) {
	single := *wf
	if err := setJob(&single, id, job); err != nil {
		return renderedJob{}, err
	}
	_, jobs, _, err := decodeJobs(&single.Jobs)
	if err != nil || len(jobs) != 1 {
		return renderedJob{}, fmt.Errorf("reading back the single-job workflow: %w", err)
	}
	stored := jobs[0]
	needs := nodeStrings(stored.Needs)
	stored.Needs = yaml.Node{}
	if err := setJob(&single, id, stored); err != nil {
		return renderedJob{}, err
	}
	payload, err := yaml.Marshal(&single)
	if err != nil {
		return renderedJob{}, fmt.Errorf("encoding the payload: %w", err)
	}
	return renderedJob{
		id: id, name: stored.Name, needs: needs, runsOn: runsOnOf(stored.RunsOn),
		payload: payload, steps: len(stored.Steps), hasIf: stored.If.Value != "",
	}, nil
}

// setJob replaces the workflow's jobs with the one job, going through
// yaml text as Gitea does (which fixes the scalars' styles).
func setJob(wf *payloadWorkflow, id string, job *payloadJob) error {
	text, err := yaml.Marshal(map[string]*payloadJob{id: job})
	if err != nil {
		return fmt.Errorf("encoding job %q: %w", id, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		return fmt.Errorf("reading back job %q: %w", id, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return fmt.Errorf("job %q does not encode to a mapping: %q", id, text)
	}
	wf.Jobs = *doc.Content[0]
	return nil
}

// decodeJobs reads the jobs mapping in order; steps that are null are
// dropped. raws are the jobs' own nodes.
func decodeJobs(node *yaml.Node) ([]string, []*payloadJob, []*yaml.Node, error) {
	if node.Kind != yaml.MappingNode {
		return nil, nil, nil, errors.New("jobs is not a mapping")
	}
	var (
		ids  []string
		jobs []*payloadJob
		raws []*yaml.Node
	)
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, value := node.Content[i], node.Content[i+1]
		if key.Kind != yaml.ScalarNode {
			return nil, nil, nil, fmt.Errorf("job key at line %d is not a string", key.Line)
		}
		var job *payloadJob
		if err := value.Decode(&job); err != nil {
			return nil, nil, nil, fmt.Errorf("job %q: %w", key.Value, err)
		}
		if job == nil {
			job = &payloadJob{}
		}
		steps := job.Steps[:0]
		for _, st := range job.Steps {
			if st != nil {
				steps = append(steps, st)
			}
		}
		job.Steps = steps
		ids, jobs, raws = append(ids, key.Value), append(jobs, job), append(raws, value)
	}
	return ids, jobs, raws, nil
}

// nodeStrings reads a string or a list of strings (needs, runs-on).
func nodeStrings(n yaml.Node) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		var s string
		if n.Decode(&s) != nil {
			return nil
		}
		return []string{s}
	case yaml.SequenceNode:
		var list []string
		if n.Decode(&list) != nil {
			return nil
		}
		return list
	}
	return nil
}

// runsOnOf reads runs-on: labels, or a mapping's labels then its group.
func runsOnOf(n yaml.Node) []string {
	if n.Kind != yaml.MappingNode {
		return nodeStrings(n)
	}
	var v struct {
		Group  string
		Labels yaml.Node
	}
	if n.Decode(&v) != nil {
		return nil
	}
	labels := nodeStrings(v.Labels)
	if v.Group != "" {
		labels = append(labels, v.Group)
	}
	return labels
}

// encodeRunsOn writes one label as a string, any other number as a list
// (none as []).
func encodeRunsOn(labels []string) yaml.Node {
	var n yaml.Node
	if len(labels) == 1 {
		_ = n.Encode(labels[0]) // a string always encodes
	} else {
		_ = n.Encode(labels) // a []string always encodes
	}
	return n
}

// nameWithMatrix names a matrix job: its name interpolated when it holds
// an expression, else the name followed by the combination's values.
func nameWithMatrix(name string, combo map[string]any, env exprEnv, scope exprScope) string {
	if len(combo) == 0 {
		return name
	}
	if !hasExpression(name) {
		return name + " " + matrixName(combo)
	}
	return env.interpolate(name, scope)
}

// sortCombinations orders combinations by their names, as Gitea does.
func sortCombinations(combos []map[string]any) {
	sort.SliceStable(combos, func(i, j int) bool { return matrixName(combos[i]) < matrixName(combos[j]) })
}
