package forgetest

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// jobInfo is what the forge knows of a task's job from its workflow.
type jobInfo struct {
	id     string
	runsOn []string
	steps  int
	hasIf  bool
}

// singleJob builds the workflow_payload. With jobID empty the workflow is
// sent verbatim (a malformed one too) and its job read on a best-effort
// basis; with jobID set the workflow must parse and have that job, which
// is cut out into a single-job workflow with the other top-level keys kept,
// as the forge does.
func singleJob(workflow, jobID string) ([]byte, jobInfo, error) {
	var doc yaml.Node
	err := yaml.Unmarshal([]byte(workflow), &doc)
	jobs := jobsNode(&doc, err)
	if jobID == "" {
		if jobs == nil || len(jobs.Content) != 2 {
			return []byte(workflow), jobInfo{}, nil
		}
		return []byte(workflow), readJob(jobs.Content[0].Value, jobs.Content[1]), nil
	}
	if err != nil {
		return nil, jobInfo{}, fmt.Errorf("workflow does not parse: %w", err)
	}
	if jobs == nil {
		return nil, jobInfo{}, fmt.Errorf("workflow has no jobs mapping")
	}
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		if jobs.Content[i].Value != jobID {
			continue
		}
		key, job := jobs.Content[i], jobs.Content[i+1]
		jobs.Content = []*yaml.Node{key, job}
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(&doc); err != nil {
			return nil, jobInfo{}, fmt.Errorf("encoding the single-job workflow: %w", err)
		}
		return buf.Bytes(), readJob(jobID, job), nil
	}
	return nil, jobInfo{}, fmt.Errorf("workflow has no job %q", jobID)
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
