package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nektos/act/pkg/workflowpattern"
)

// Event is what happened, as far as choosing workflows needs to know.
type Event struct {
	// Name is the event name: push, pull_request, workflow_dispatch, ...
	Name string
	// Ref is the full ref pushed (refs/heads/main, refs/tags/v1); a name
	// without refs/ is taken as a branch. Empty means unknown: branch and
	// tag filters then match.
	Ref string
	// BaseRef and HeadRef are a pull request's target and source branches.
	// Empty BaseRef means unknown: pull request branch filters then match.
	BaseRef string
	HeadRef string
	// ChangedFiles are the paths the event changed, relative to the
	// repository root. They are only consulted when ChangedFilesKnown is
	// set; otherwise paths filters match.
	ChangedFiles      []string
	ChangedFilesKnown bool
	// Action is the activity type (opened, synchronize, closed, ...). Empty
	// means unknown: types filters then match.
	Action string
}

// defaultTypes are the activity types an event triggers on when its
// trigger names none (GitHub's defaults).
var defaultTypes = map[string][]string{
	"pull_request":        {"opened", "synchronize", "reopened"},
	"pull_request_target": {"opened", "synchronize", "reopened"},
}

// Triggered reports whether ev runs w. When it does not, the reason says
// which part of on: ruled it out, for the user.
func (w *Workflow) Triggered(ev Event) (bool, string) {
	t, ok := w.On[ev.Name]
	if !ok {
		events := make([]string, 0, len(w.On))
		for name := range w.On {
			events = append(events, name)
		}
		slices.Sort(events)
		return false, fmt.Sprintf("not triggered by %s (on: %s)", ev.Name, strings.Join(events, ", "))
	}
	if t == nil {
		return true, ""
	}
	if ok, why := t.typeMatches(ev); !ok {
		return false, why
	}
	checkPaths := true
	switch ev.Name {
	case "push":
		ok, why, isTag := t.pushRefMatches(ev.Ref)
		if !ok {
			return false, why
		}
		// GitHub does not evaluate path filters for tag pushes.
		checkPaths = !isTag
	case "pull_request", "pull_request_target":
		if ev.BaseRef != "" {
			branch := strings.TrimPrefix(ev.BaseRef, "refs/heads/")
			if ok, why := branchMatches(ev.Name, "base branch", branch, t.Branches, t.BranchesIgnore); !ok {
				return false, why
			}
		}
	case "workflow_run":
		if ev.Ref != "" {
			branch := strings.TrimPrefix(ev.Ref, "refs/heads/")
			if ok, why := branchMatches(ev.Name, "branch", branch, t.Branches, t.BranchesIgnore); !ok {
				return false, why
			}
		}
	}
	if checkPaths && ev.ChangedFilesKnown {
		return t.pathsMatch(ev)
	}
	return true, ""
}

// typeMatches applies the types filter when the event's activity is known.
func (t *Trigger) typeMatches(ev Event) (bool, string) {
	if ev.Action == "" {
		return true, ""
	}
	types := t.Types
	if len(types) == 0 {
		types = defaultTypes[ev.Name]
	}
	if len(types) == 0 || slices.Contains(types, ev.Action) {
		return true, ""
	}
	return false, fmt.Sprintf("%s activity %q is not in on.%s.types [%s]", ev.Name, ev.Action, ev.Name, strings.Join(types, ", "))
}

// pushRefMatches applies branch and tag filters to a pushed ref. When a
// trigger filters only branches, tag pushes do not run it, and vice versa.
func (t *Trigger) pushRefMatches(ref string) (ok bool, why string, isTag bool) {
	if ref == "" {
		return true, "", false
	}
	hasBranches := len(t.Branches) > 0 || len(t.BranchesIgnore) > 0
	hasTags := len(t.Tags) > 0 || len(t.TagsIgnore) > 0
	if tag, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
		if hasBranches && !hasTags {
			return false, fmt.Sprintf("push of tag %s: on.push filters only branches", tag), true
		}
		ok, why := refMatches("push", "tag", tag, "tags", t.Tags, t.TagsIgnore)
		return ok, why, true
	}
	branch := strings.TrimPrefix(ref, "refs/heads/")
	if hasTags && !hasBranches {
		return false, fmt.Sprintf("push to branch %s: on.push filters only tags", branch), false
	}
	ok, why = branchMatches("push", "branch", branch, t.Branches, t.BranchesIgnore)
	return ok, why, false
}

// branchMatches applies branches and branches-ignore to a branch name.
func branchMatches(event, what, branch string, include, ignore []string) (bool, string) {
	return refMatches(event, what, branch, "branches", include, ignore)
}

// refMatches applies an include and an ignore filter to a branch or tag.
func refMatches(event, what, name, filter string, include, ignore []string) (bool, string) {
	if len(include) > 0 && workflowpattern.Skip(compile(include), []string{name}, &workflowpattern.EmptyTraceWriter{}) {
		return false, fmt.Sprintf("%s %s %s does not match on.%s.%s [%s]", event, what, name, event, filter, strings.Join(include, ", "))
	}
	if len(ignore) > 0 && workflowpattern.Filter(compile(ignore), []string{name}, &workflowpattern.EmptyTraceWriter{}) {
		return false, fmt.Sprintf("%s %s %s matches on.%s.%s-ignore [%s]", event, what, name, event, filter, strings.Join(ignore, ", "))
	}
	return true, ""
}

// pathsMatch applies paths and paths-ignore to the changed files.
func (t *Trigger) pathsMatch(ev Event) (bool, string) {
	if len(t.Paths) > 0 && workflowpattern.Skip(compile(t.Paths), ev.ChangedFiles, &workflowpattern.EmptyTraceWriter{}) {
		return false, fmt.Sprintf("no changed file matches on.%s.paths [%s]", ev.Name, strings.Join(t.Paths, ", "))
	}
	if len(t.PathsIgnore) > 0 && workflowpattern.Filter(compile(t.PathsIgnore), ev.ChangedFiles, &workflowpattern.EmptyTraceWriter{}) {
		return false, fmt.Sprintf("every changed file matches on.%s.paths-ignore [%s]", ev.Name, strings.Join(t.PathsIgnore, ", "))
	}
	return true, ""
}

// compile compiles filter patterns, leaving out any that do not compile
// (pipeline.ParseWorkflow reports those).
func compile(patterns []string) []*workflowpattern.WorkflowPattern {
	out := make([]*workflowpattern.WorkflowPattern, 0, len(patterns))
	for _, s := range patterns {
		if wp, err := workflowpattern.CompilePattern(s); err == nil {
			out = append(out, wp)
		}
	}
	return out
}
