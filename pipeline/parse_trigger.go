package pipeline

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/nektos/act/pkg/workflowpattern"
	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// scheduleNote is the note added to workflows with a schedule trigger.
const scheduleNote = "schedule triggers are ignored by anvil exec; Forgejo starts scheduled runs itself"

// parseOn reads on: as an event name, a list of them, or a mapping of
// events to their filters, into w.On (and w.Inputs, w.Outputs, w.Secrets).
// Unknown events are warnings (the workflow is never triggered by them);
// an on: without any event is an error.
func parseOn(p *problems, w *plan.Workflow, n *yaml.Node) {
	w.On = map[string]*plan.Trigger{}
	given := 0
	switch {
	case isNull(n):
	case n.Kind == yaml.ScalarNode:
		given++
		addEvent(p, w, n)
	case n.Kind == yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode && !isNull(c) {
				given++
				addEvent(p, w, c)
			}
		}
	case n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			given++
			k, v := n.Content[i], n.Content[i+1]
			if _, known := eventRules[k.Value]; !known || w.On[k.Value] != nil {
				continue // reported by checkShape
			}
			w.On[k.Value] = parseTrigger(p, w, k.Value, v)
		}
	}
	if given == 0 {
		p.add(n, "on lists no events; add at least one, for example on: push")
	}
}

// addEvent adds an event given by name only.
func addEvent(p *problems, w *plan.Workflow, n *yaml.Node) {
	if _, known := eventRules[n.Value]; !known {
		msg := "unknown event " + quote(n.Value)
		if s := closest(n.Value, eventNames()); s != "" {
			msg += "; did you mean " + quote(s) + "?"
		}
		p.warn(n, "%s", msg)
		return
	}
	if n.Value == "schedule" {
		addNote(w, scheduleNote)
	}
	w.On[n.Value] = &plan.Trigger{}
}

// eventNames lists the known events, sorted.
func eventNames() []string {
	names := make([]string, 0, len(eventRules))
	for name := range eventRules {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// addNote adds a note once.
func addNote(w *plan.Workflow, note string) {
	if !slices.Contains(w.Notes, note) {
		w.Notes = append(w.Notes, note)
	}
}

// parseTrigger reads the filters of one event.
func parseTrigger(p *problems, w *plan.Workflow, event string, n *yaml.Node) *plan.Trigger {
	t := &plan.Trigger{}
	path := pathKey("on", event)
	if event == "schedule" {
		addNote(w, scheduleNote)
		checkSchedule(p, path, n)
		return t
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return t
	}
	keys := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		keys[k.Value] = k
		switch k.Value {
		case "types":
			t.Types = textList(v)
		case "branches":
			t.Branches = patterns(p, pathKey(path, k.Value), v)
		case "branches-ignore":
			t.BranchesIgnore = patterns(p, pathKey(path, k.Value), v)
		case "tags":
			t.Tags = patterns(p, pathKey(path, k.Value), v)
		case "tags-ignore":
			t.TagsIgnore = patterns(p, pathKey(path, k.Value), v)
		case "paths":
			t.Paths = patterns(p, pathKey(path, k.Value), v)
		case "paths-ignore":
			t.PathsIgnore = patterns(p, pathKey(path, k.Value), v)
		case "inputs":
			parseInputs(p, w, t, event, pathKey(path, k.Value), v)
		case "outputs":
			w.Outputs = callOutputs(v)
		case "secrets":
			w.Secrets = callSecrets(v)
		}
	}
	for _, f := range []string{"branches", "tags", "paths"} {
		if keys[f] != nil && keys[f+"-ignore"] != nil {
			p.warn(keys[f+"-ignore"], "%s has both %s and %s-ignore; use only %s, with !pattern entries for what to leave out", path, f, f, f)
		}
	}
	return t
}

// patterns reads a filter list and checks each pattern's syntax.
func patterns(p *problems, path string, n *yaml.Node) []string {
	var nodes []*yaml.Node
	switch {
	case isNull(n):
	case n.Kind == yaml.ScalarNode:
		nodes = []*yaml.Node{n}
	case n.Kind == yaml.SequenceNode:
		nodes = n.Content
	}
	out := make([]string, 0, len(nodes))
	for _, c := range nodes {
		if c.Kind != yaml.ScalarNode || isNull(c) {
			continue
		}
		// PatternToRegex finds every syntax error without the cost of
		// compiling the regular expression.
		if _, err := workflowpattern.PatternToRegex(strings.TrimPrefix(c.Value, "!")); err != nil {
			p.warn(c, "%s: pattern %q is invalid: %s; see https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#filter-pattern-cheat-sheet", path, c.Value, patternError(err))
		}
		out = append(out, c.Value)
	}
	return out
}

// checkSchedule checks that each schedule entry has a cron.
func checkSchedule(p *problems, path string, n *yaml.Node) {
	if n == nil || n.Kind != yaml.SequenceNode {
		return
	}
	for i, c := range n.Content {
		if c.Kind == yaml.MappingNode && isNull(lookup(c, "cron")) {
			p.warn(c, "%s has no cron; add cron with a schedule such as '30 5 * * 1'", pathIndex(path, i))
		}
	}
}

// patternError rewrites workflowpattern's error ("invalid Pattern 'x':
// Position: 3 Error: ..., Position: 4 Error: ...", in map order) as
// "at 3: ...; at 4: ...", sorted by position.
func patternError(err error) string {
	msg := err.Error()
	_, detail, ok := strings.Cut(msg, "': Position: ")
	if !ok {
		return msg
	}
	type part struct {
		at  int
		msg string
	}
	var parts []part
	for _, s := range strings.Split(detail, ", Position: ") {
		num, text, _ := strings.Cut(s, " Error: ")
		at, _ := strconv.Atoi(num)
		parts = append(parts, part{at: at, msg: strings.ToLower(text[:min(1, len(text))]) + text[min(1, len(text)):]})
	}
	slices.SortFunc(parts, func(a, b part) int { return cmp.Compare(a.at, b.at) })
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = "at " + strconv.Itoa(p.at) + ": " + p.msg
	}
	return strings.Join(out, "; ")
}
