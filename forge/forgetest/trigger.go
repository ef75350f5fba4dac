package forgetest

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/nektos/act/pkg/workflowpattern"
	"gopkg.in/yaml.v3"
)

// trigger is one event of a workflow's on: with its filters.
type trigger struct {
	name    string
	filters map[string][]string // branches, tags, paths, types, ...
}

// triggersOf reads on: as Gitea does. Filters are lists or single
// strings; only workflow_dispatch may have a mapping (its inputs). An
// error makes the forge ignore the workflow for every event.
func triggersOf(content []byte) ([]trigger, error) {
	var wf struct {
		On yaml.Node `yaml:"on"`
	}
	if err := yaml.Unmarshal(content, &wf); err != nil {
		return nil, err
	}
	on := wf.On
	switch on.Kind {
	case yaml.ScalarNode:
		return []trigger{{name: on.Value}}, nil
	case yaml.SequenceNode:
		var names []string
		if err := on.Decode(&names); err != nil {
			return nil, err
		}
		out := make([]trigger, len(names))
		for i, n := range names {
			out[i] = trigger{name: n}
		}
		return out, nil
	case yaml.MappingNode:
		var out []trigger
		for i := 0; i+1 < len(on.Content); i += 2 {
			t, err := triggerOf(on.Content[i].Value, on.Content[i+1])
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		return out, nil
	}
	return nil, errors.New("on: is missing")
}

func triggerOf(name string, v *yaml.Node) (trigger, error) {
	t := trigger{name: name}
	if v.Kind != yaml.MappingNode {
		return t, nil // null, or a schedule's list
	}
	t.filters = map[string][]string{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		key, value := v.Content[i].Value, v.Content[i+1]
		switch value.Kind {
		case yaml.SequenceNode:
			var list []string
			if err := value.Decode(&list); err != nil {
				return t, fmt.Errorf("on.%s.%s: %w", name, key, err)
			}
			t.filters[key] = list
		case yaml.ScalarNode:
			t.filters[key] = []string{value.Value}
		case yaml.MappingNode:
			if name != "workflow_dispatch" || key != "inputs" {
				return t, fmt.Errorf("on.%s.%s: a mapping is only allowed for workflow_dispatch inputs", name, key)
			}
		default:
			return t, fmt.Errorf("on.%s.%s: unknown kind", name, key)
		}
	}
	return t, nil
}

// matches tells whether the run's event triggers t, as Gitea's
// detectMatched does for push and pull request events; other events
// match by name. Every filter must match; one the forge does not know
// never does.
func (t trigger) matches(ev runEvent) bool {
	if t.name != ev.name {
		return false
	}
	switch ev.name {
	case "push":
		return t.matchPush(ev)
	case "pull_request", "pull_request_target":
		return t.matchPullRequest(ev)
	}
	return true
}

// runEvent is what filters look at.
type runEvent struct {
	name    string
	ref     string   // push: the pushed ref
	base    string   // pull request: the base branch
	action  string   // pull request: the action
	changed []string // the files the event changed
}

func (t trigger) matchPush(ev runEvent) bool {
	if len(t.filters) == 0 {
		return true
	}
	branch, isBranch := strings.CutPrefix(ev.ref, "refs/heads/")
	tag, isTag := strings.CutPrefix(ev.ref, "refs/tags/")
	matched := 0
	hasBranch, hasTag := false, false
	for cond, patterns := range t.filters {
		switch cond {
		case "branches", "branches-ignore":
			hasBranch = true
			if isBranch && passes(cond, patterns, []string{branch}) {
				matched++
			}
		case "tags", "tags-ignore":
			hasTag = true
			if isTag && passes(cond, patterns, []string{tag}) {
				matched++
			}
		case "paths", "paths-ignore":
			if isTag || passes(cond, patterns, ev.changed) {
				matched++
			}
		}
	}
	if hasBranch && hasTag {
		matched++
	}
	return matched == len(t.filters)
}

func (t trigger) matchPullRequest(ev runEvent) bool {
	matched := 0
	action := ev.action
	if action == "synchronized" {
		action = "synchronize"
	}
	types, ok := t.filters["types"]
	typeOK := false
	if !ok {
		typeOK = action == "opened" || action == "reopened" || action == "synchronize"
	} else {
		for _, p := range types {
			if ok, _ := path.Match(p, action); ok {
				typeOK = true
				matched++
				break
			}
		}
	}
	for cond, patterns := range t.filters {
		switch cond {
		case "branches", "branches-ignore":
			if passes(cond, patterns, []string{ev.base}) {
				matched++
			}
		case "paths", "paths-ignore":
			if passes(cond, patterns, ev.changed) {
				matched++
			}
		}
	}
	return typeOK && matched == len(t.filters)
}

// passes applies a filter: a list keeps inputs matching it, an -ignore
// list drops them.
func passes(cond string, patterns, inputs []string) bool {
	compiled, err := workflowpattern.CompilePatterns(patterns...)
	if err != nil {
		return false
	}
	w := &workflowpattern.EmptyTraceWriter{}
	if strings.HasSuffix(cond, "-ignore") {
		return !workflowpattern.Filter(compiled, inputs, w)
	}
	return !workflowpattern.Skip(compiled, inputs, w)
}
