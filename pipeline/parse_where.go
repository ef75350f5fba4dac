package pipeline

import (
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Locator names places in a forge task's workflow by job and step. The
// payload of a task is the forge's re-serialisation of the file (keys
// reordered, indentation changed), so its line numbers mean nothing to the
// user; "job "build", step 2 "Test"" does.
type Locator struct {
	top  []keySpan // top-level keys, in file order
	jobs []jobSpan // in file order
}

// keySpan is a top-level key and the line it starts on.
type keySpan struct {
	name string
	line int
}

// jobSpan is where one job is: from its key's line to its last line.
type jobSpan struct {
	id         string
	start, end int
	steps      []stepSpan
}

// stepSpan is where one step is, with the words that name it.
type stepSpan struct {
	label      string
	start, end int
}

// LocateIn returns a Locator for the workflow in data, or nil when data
// is not a YAML mapping.
func LocateIn(data []byte) *Locator {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	return NewLocator(doc.Content[0])
}

// NewLocator returns a Locator for the workflow whose top-level node is
// root, or nil when root is not a mapping.
func NewLocator(root *yaml.Node) *Locator {
	if root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	l := &Locator{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		l.top = append(l.top, keySpan{name: k.Value, line: k.Line})
		if k.Value != "jobs" || v.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			l.jobs = append(l.jobs, newJobSpan(v.Content[j], v.Content[j+1]))
		}
	}
	return l
}

// newJobSpan reads where job k: n and its steps are.
func newJobSpan(k, n *yaml.Node) jobSpan {
	j := jobSpan{id: k.Value, start: k.Line, end: lastLine(n)}
	steps := lookup(n, "steps")
	if steps == nil || steps.Kind != yaml.SequenceNode {
		return j
	}
	for i, s := range steps.Content {
		label := "step " + strconv.Itoa(i+1)
		switch id, name := text(lookup(s, "id")), text(lookup(s, "name")); {
		case id != "":
			label = "step " + quote(id)
		case name != "":
			label += " " + quote(name)
		}
		j.steps = append(j.steps, stepSpan{label: label, start: s.Line, end: lastLine(s)})
	}
	return j
}

// lastLine is the last line a node's tree starts a node on.
func lastLine(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		last = max(last, lastLine(c))
	}
	return last
}

// Where names the place of line: `job "build", step 2 "Test"`, `job
// "build"`, `key "on"`, or "workflow" for what is in no job or key.
func (l *Locator) Where(line int) string {
	if l == nil {
		return ""
	}
	for _, j := range slices.Backward(l.jobs) {
		if line < j.start || line > j.end {
			continue
		}
		out := "job " + quote(j.id)
		for _, s := range j.steps {
			if line >= s.start && line <= s.end {
				return out + ", " + s.label
			}
		}
		return out
	}
	for _, k := range slices.Backward(l.top) {
		if line >= k.line {
			return "key " + quote(k.name)
		}
	}
	return "workflow"
}
