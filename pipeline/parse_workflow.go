package pipeline

import (
	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// ParseWorkflow reads one workflow file. file names it in positions and
// messages; data is its content. The YAML is checked against the workflow
// syntax (GitHub's, with Forgejo's additions). When a problem is an error
// (see Problem.IsError: what GitHub or Forgejo would refuse too, or what
// anvil cannot build) every problem found is returned at once as Errors.
// Otherwise the workflow comes back with its jobs ordered so that each job
// follows the jobs it needs, and the warnings in Workflow.Problems.
//
// Expressions stay as text, and keys that anvil does not use (concurrency,
// run-name) are checked but not kept; permissions and environment are
// kept for policies.
func ParseWorkflow(file string, data []byte) (*plan.Workflow, error) {
	return parseWorkflow(&problems{file: file}, data)
}

// ParseTaskWorkflow reads the workflow of a forge task: like ParseWorkflow,
// except that a job may need jobs that are not in the file, and needs no
// runs-on. A forge sends each job as a workflow of its own, already matched
// to the runner's labels, and gives the results of the jobs it needs
// separately (the executor takes them through Config.Needs). The payload
// is the forge's re-serialisation of the file, so its problems name their
// job and step in Problem.Where rather than by line.
func ParseTaskWorkflow(file string, data []byte) (*plan.Workflow, error) {
	return parseWorkflow(&problems{file: file, externalNeeds: true}, data)
}

// parseWorkflow is ParseWorkflow collecting problems in p.
func parseWorkflow(p *problems, data []byte) (*plan.Workflow, error) {
	file := p.file
	root := loadYAML(data, p)
	if root == nil {
		_, err := p.result()
		return nil, err
	}
	checkShape(p, root, workflowRule, "")
	if root.Kind != yaml.MappingNode {
		_, err := p.result()
		return nil, err
	}
	if p.task() {
		p.locate = NewLocator(root)
	}
	w := &plan.Workflow{File: file}
	var onNode, jobsNode *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "name":
			w.Name = text(v)
		case "env":
			w.Env = textMap(v)
		case "defaults":
			w.Defaults = runDefaults(v)
		case "on":
			onNode = k
			parseOn(p, w, v)
		case "permissions":
			w.Permissions = permissions(v)
		case "jobs":
			jobsNode = k
			w.Jobs = parseJobs(p, v)
		}
	}
	if onNode == nil {
		p.add(root, "workflow has no on: key; add the events that trigger it, for example on: push")
	}
	if jobsNode == nil {
		p.add(root, "workflow has no jobs: key; add a jobs: mapping with at least one job")
	} else if len(w.Jobs) == 0 && !p.hasError() {
		p.add(jobsNode, "jobs is empty; add at least one job")
	}
	warnings, err := p.result()
	if err != nil {
		return nil, err
	}
	w.Problems = warnings
	return w, nil
}

// runDefaults reads a defaults mapping (workflow or job level).
func runDefaults(n *yaml.Node) plan.RunDefaults {
	var d plan.RunDefaults
	run := lookup(n, "run")
	if run == nil || run.Kind != yaml.MappingNode {
		return d
	}
	d.Shell = text(lookup(run, "shell"))
	d.WorkingDirectory = text(lookup(run, "working-directory"))
	return d
}

// lookup returns the value of key in mapping n, or nil.
func lookup(n *yaml.Node, key string) *yaml.Node {
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

// position is where n is in p's file.
func (p *problems) position(n *yaml.Node) plan.Position {
	return plan.Position{File: p.file, Line: n.Line, Column: n.Column}
}
