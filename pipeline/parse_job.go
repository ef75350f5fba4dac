package pipeline

import (
	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// jobNode is a parsed job with the nodes that messages about it point at.
type jobNode struct {
	job   *plan.Job
	key   *yaml.Node
	needs []*yaml.Node
}

// parseJobs reads the jobs mapping and returns its jobs in needs order.
func parseJobs(p *problems, n *yaml.Node) []*plan.Job {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	nodes := make([]*jobNode, 0, len(n.Content)/2)
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || seen[k.Value] {
			continue // reported by checkShape
		}
		seen[k.Value] = true
		if !validID(k.Value) {
			p.warn(k, "job id %q is invalid: %s", k.Value, idRules)
		}
		if isNull(v) {
			p.add(k, "job %q is empty; add runs-on and steps, or uses", k.Value)
			continue
		}
		if v.Kind != yaml.MappingNode {
			continue
		}
		nodes = append(nodes, parseJob(p, k, v))
	}
	return orderJobs(p, nodes)
}

// parseJob reads one job mapping; k is its key.
func parseJob(p *problems, k, n *yaml.Node) *jobNode {
	id := k.Value
	path := pathKey("jobs", id)
	j := &plan.Job{ID: id, Pos: p.position(k)}
	jn := &jobNode{job: j, key: k}
	var steps, uses, runsOn *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, v := n.Content[i], n.Content[i+1]
		switch key.Value {
		case "name":
			j.Name = text(v)
		case "needs":
			j.Needs, jn.needs = needs(v)
		case "runs-on":
			runsOn = v
			j.RunsOn = runsOnLabels(v)
		case "env":
			j.Env = textMap(v)
		case "if":
			j.If = text(v)
		case "steps":
			steps = v
			j.Steps = parseSteps(p, pathKey(path, "steps"), v, false)
		case "timeout-minutes":
			j.TimeoutMinutes = text(v)
		case "continue-on-error":
			j.ContinueOnError = text(v)
		case "services":
			j.Services = parseServices(p, pathKey(path, "services"), v)
		case "strategy":
			j.Strategy = parseStrategy(v)
			checkMatrix(p, pathKey(path, "strategy.matrix"), lookup(v, "matrix"))
		case "container":
			j.Container = parseContainer(p, pathKey(path, "container"), v)
		case "defaults":
			j.Defaults = runDefaults(v)
		case "outputs":
			j.Outputs = textMap(v)
		case "uses":
			uses = v
			j.Uses = text(v)
			if v.Kind == yaml.ScalarNode && !isNull(v) {
				if msg := workflowRefProblem(j.Uses); msg != "" {
					p.add(v, "%s", msg)
				}
			}
		case "with":
			j.With = anyMap(textMap(v))
		case "secrets":
			parseJobSecrets(p, path, j, v)
		case "permissions":
			j.Permissions = permissions(v)
		case "environment":
			j.Environment = environment(v)
		}
	}
	hasSteps, hasUses := !isNull(steps), !isNull(uses)
	switch {
	case hasSteps && hasUses:
		p.add(uses, "job %q has both steps and uses; a job either runs steps or calls a reusable workflow", id)
	case !hasSteps && !hasUses:
		p.add(k, "job %q has neither steps nor uses; add runs-on and steps, or uses with a reusable workflow", id)
	case hasSteps && steps.Kind == yaml.SequenceNode && len(steps.Content) == 0:
		p.warn(steps, "job %q has no steps; add at least one step", id)
	}
	// A task's job was matched to this runner by its labels already.
	if hasSteps && isNull(runsOn) && !p.task() {
		p.add(k, "job %q has no runs-on; add the labels of the runners that may run it, for example runs-on: docker", id)
	}
	return jn
}

// needs reads needs: as ids and the nodes naming them.
func needs(n *yaml.Node) ([]string, []*yaml.Node) {
	var nodes []*yaml.Node
	switch {
	case isNull(n):
		return nil, nil
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		nodes = []*yaml.Node{n}
	case n.Kind == yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode && c.ShortTag() == "!!str" {
				nodes = append(nodes, c)
			}
		}
	}
	if len(nodes) == 0 {
		return nil, nil
	}
	ids := make([]string, len(nodes))
	for i, c := range nodes {
		ids[i] = c.Value
	}
	return ids, nodes
}

// runsOnLabels reads runs-on as a label, a list of labels, or a mapping
// whose labels are used (a runner group means nothing to anvil).
func runsOnLabels(n *yaml.Node) []string {
	if n != nil && n.Kind == yaml.MappingNode {
		return textList(lookup(n, "labels"))
	}
	return textList(n)
}

// parseJobSecrets reads a job's secrets: "inherit" or a mapping.
func parseJobSecrets(p *problems, path string, j *plan.Job, n *yaml.Node) {
	switch {
	case isNull(n):
	case n.Kind == yaml.ScalarNode:
		if n.Value == "inherit" {
			j.InheritSecrets = true
			return
		}
		p.add(n, "%s must be inherit or a mapping of names to strings, got %q", pathKey(path, "secrets"), n.Value)
	case n.Kind == yaml.MappingNode:
		j.Secrets = textMap(n)
	}
}

// parseStrategy reads a strategy block; the matrix stays plain data, or
// its expression text.
func parseStrategy(n *yaml.Node) *plan.Strategy {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	s := &plan.Strategy{
		FailFast:    text(lookup(n, "fail-fast")),
		MaxParallel: text(lookup(n, "max-parallel")),
	}
	switch m := lookup(n, "matrix"); {
	case isNull(m):
	case m.Kind == yaml.ScalarNode:
		s.Matrix = m.Value
	case m.Kind == yaml.MappingNode:
		s.Matrix = plain(m)
	}
	return s
}

// anyMap widens a map of strings for Job.With.
func anyMap(m map[string]string) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
