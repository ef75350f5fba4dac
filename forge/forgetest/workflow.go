package forgetest

import "gopkg.in/yaml.v3"

// jobInfo is what the forge knows of a task's job from its workflow.
type jobInfo struct {
	id     string
	runsOn []string
	steps  int
	hasIf  bool
}

// verbatimJob reads, on a best-effort basis, the job of a workflow the
// forge sends verbatim: its only job, if it has one.
func verbatimJob(workflow string) jobInfo {
	var doc yaml.Node
	err := yaml.Unmarshal([]byte(workflow), &doc)
	jobs := jobsNode(&doc, err)
	if jobs == nil || len(jobs.Content) != 2 {
		return jobInfo{}
	}
	return readJob(jobs.Content[0].Value, jobs.Content[1])
}

func jobsNode(doc *yaml.Node, err error) *yaml.Node {
	if err != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value == "jobs" && top.Content[i+1].Kind == yaml.MappingNode {
			return top.Content[i+1]
		}
	}
	return nil
}

func readJob(id string, job *yaml.Node) jobInfo {
	info := jobInfo{id: id}
	if job.Kind != yaml.MappingNode {
		return info
	}
	for i := 0; i+1 < len(job.Content); i += 2 {
		v := job.Content[i+1]
		switch job.Content[i].Value {
		case "runs-on":
			info.runsOn = stringsOf(v)
		case "steps":
			if v.Kind == yaml.SequenceNode {
				info.steps = len(v.Content)
			}
		case "if":
			info.hasIf = v.Value != ""
		}
	}
	return info
}

// stringsOf reads runs-on: a string, a list of strings, or a mapping with
// labels.
func stringsOf(n *yaml.Node) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode {
				out = append(out, c.Value)
			}
		}
		return out
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "labels" {
				return stringsOf(n.Content[i+1])
			}
		}
	}
	return nil
}
