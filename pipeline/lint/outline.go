package lint

import (
	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// Outline reads what it can of a workflow that does not parse, so that its
// jobs can be reported as failed: its name, the events under on: and the
// ids, names and needs of its jobs. Nothing else is kept and nothing is
// checked. A file over pipeline's limits (pipeline.CheckLimits) is not
// read at all. On is nil when the events cannot be read (the caller should
// then count the workflow as triggered by any event); Jobs is empty when
// no job can be read, and everything is empty when data is not YAML.
func Outline(file string, data []byte) (w *plan.Workflow) {
	w = &plan.Workflow{File: file}
	defer func() {
		// A decoder panic on bad input leaves what was read so far.
		if recover() != nil {
			w = &plan.Workflow{File: file}
		}
	}()
	if pipeline.CheckLimits(file, data) != nil {
		return w
	}
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return w
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "name":
			w.Name = scalar(v)
		case "on":
			w.On = outlineEvents(v)
		case "jobs":
			w.Jobs = outlineJobs(file, v)
		}
	}
	return w
}

// outlineEvents reads the event names of on:, without filters, or nil.
func outlineEvents(n *yaml.Node) map[string]*plan.Trigger {
	var names []string
	switch n.Kind {
	case yaml.ScalarNode:
		names = []string{n.Value}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode {
				names = append(names, c.Value)
			}
		}
	case yaml.MappingNode:
		for i := 0; i < len(n.Content); i += 2 {
			if c := n.Content[i]; c.Kind == yaml.ScalarNode {
				names = append(names, c.Value)
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	on := make(map[string]*plan.Trigger, len(names))
	for _, name := range names {
		on[name] = nil
	}
	return on
}

// outlineJobs reads the ids, names and needs of the jobs mapping.
func outlineJobs(file string, n *yaml.Node) []*plan.Job {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var jobs []*plan.Job
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value == "" || seen[k.Value] {
			continue
		}
		seen[k.Value] = true
		j := &plan.Job{ID: k.Value, Pos: plan.Position{File: file, Line: k.Line, Column: k.Column}}
		if v.Kind == yaml.MappingNode {
			for m := 0; m+1 < len(v.Content); m += 2 {
				switch v.Content[m].Value {
				case "name":
					j.Name = scalar(v.Content[m+1])
				case "needs":
					j.Needs = scalars(v.Content[m+1])
				}
			}
		}
		jobs = append(jobs, j)
	}
	return jobs
}

// scalar is a scalar node's text, or "".
func scalar(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return ""
	}
	return n.Value
}

// scalars reads a scalar or a list of scalars.
func scalars(n *yaml.Node) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		if s := scalar(n); s != "" {
			return []string{s}
		}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if s := scalar(c); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
