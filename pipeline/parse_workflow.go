package pipeline

import (
	"gopkg.in/yaml.v3"
)

// ParseWorkflow reads one workflow file. file names it in positions and
// messages; data is its content. The YAML is checked against the workflow
// syntax (GitHub's, with Forgejo's additions) and every problem found is
// returned at once as Errors. A valid workflow comes back with its jobs
// ordered so that each job follows the jobs it needs.
//
// Expressions stay as text, and keys that anvil does not use (permissions,
// concurrency, environment, run-name) are checked but not kept.
func ParseWorkflow(file string, data []byte) (*Workflow, error) {
	return parseWorkflow(&problems{file: file}, data)
}

// ParseTaskWorkflow reads the workflow of a forge task: like ParseWorkflow,
// except that a job may need jobs that are not in the file. A forge sends
// each job as a workflow of its own and gives the results of the jobs it
// needs separately (the executor takes them through Config.Needs).
func ParseTaskWorkflow(file string, data []byte) (*Workflow, error) {
	return parseWorkflow(&problems{file: file, externalNeeds: true}, data)
}

// parseWorkflow is ParseWorkflow collecting problems in p.
func parseWorkflow(p *problems, data []byte) (*Workflow, error) {
	file := p.file
	root := loadYAML(data, p)
	if root == nil {
		return nil, p.err()
	}
	checkShape(p, root, workflowRule, "")
	if root.Kind != yaml.MappingNode {
		return nil, p.err()
	}
	w := &Workflow{File: file}
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
	} else if len(w.Jobs) == 0 && len(p.list) == 0 {
		p.add(jobsNode, "jobs is empty; add at least one job")
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return w, nil
}

// runDefaults reads a defaults mapping (workflow or job level).
func runDefaults(n *yaml.Node) RunDefaults {
	var d RunDefaults
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
func (p *problems) position(n *yaml.Node) Position {
	return Position{File: p.file, Line: n.Line, Column: n.Column}
}
