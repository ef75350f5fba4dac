package pipeline

import (
	"testing"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

func TestTriggered(t *testing.T) {
	t.Parallel()
	push := func(ref string) plan.Event { return plan.Event{Name: "push", Ref: ref} }
	pushFiles := func(files ...string) plan.Event {
		return plan.Event{Name: "push", Ref: "refs/heads/main", ChangedFiles: files, ChangedFilesKnown: true}
	}
	tests := []struct {
		name string
		file string // in testdata/trigger
		ev   plan.Event
		want bool
		why  string
	}{
		{name: "branch matches", file: "push-branches", ev: push("refs/heads/main"), want: true},
		{name: "branch matches glob", file: "push-branches", ev: push("refs/heads/release/1.0"), want: true},
		{name: "bare ref is a branch", file: "push-branches", ev: push("main"), want: true},
		{name: "negated branch", file: "push-branches", ev: push("refs/heads/release/old"),
			why: "push branch release/old does not match on.push.branches [main, release/**, !release/old]"},
		{name: "branch does not match", file: "push-branches", ev: push("refs/heads/dev"),
			why: "push branch dev does not match on.push.branches [main, release/**, !release/old]"},
		{name: "tag push with only branch filters", file: "push-branches", ev: push("refs/tags/v1"),
			why: "push of tag v1: on.push filters only branches"},
		{name: "unknown ref matches", file: "push-branches", ev: push(""), want: true},
		{name: "tag matches", file: "push-tags", ev: push("refs/tags/v1.2.0"), want: true},
		{name: "tag negated", file: "push-tags", ev: push("refs/tags/v0.9"),
			why: "push tag v0.9 does not match on.push.tags [v*, !v0.*]"},
		{name: "tag does not match", file: "push-tags", ev: push("refs/tags/release-1"),
			why: "push tag release-1 does not match on.push.tags [v*, !v0.*]"},
		{name: "tag ignored", file: "push-tags-ignore", ev: push("refs/tags/v0.9"),
			why: "push tag v0.9 matches on.push.tags-ignore [v0.*]"},
		{name: "tag not ignored", file: "push-tags-ignore", ev: push("refs/tags/v1.0"), want: true},
		{name: "branch push with only tag filters", file: "push-tags", ev: push("refs/heads/main"),
			why: "push to branch main: on.push filters only tags"},
		{name: "branches and tags: branch", file: "push-branches-tags", ev: push("refs/heads/main"), want: true},
		{name: "branches and tags: tag", file: "push-branches-tags", ev: push("refs/tags/v2"), want: true},
		{name: "branches and tags: other tag", file: "push-branches-tags", ev: push("refs/tags/x"),
			why: "push tag x does not match on.push.tags [v*]"},
		{name: "branches-ignore matches", file: "push-branches-ignore", ev: push("refs/heads/dependabot/npm/x"),
			why: "push branch dependabot/npm/x matches on.push.branches-ignore [dependabot/**]"},
		{name: "branches-ignore other branch", file: "push-branches-ignore", ev: push("refs/heads/main"), want: true},
		{name: "branches-ignore alone skips tags", file: "push-branches-ignore", ev: push("refs/tags/v1"),
			why: "push of tag v1: on.push filters only branches"},
		{name: "paths match", file: "paths", ev: pushFiles("README", "src/a/b.go"), want: true},
		{name: "paths negated", file: "paths", ev: pushFiles("src/a/README.md"),
			why: "no changed file matches on.push.paths [src/**, !src/**/*.md]"},
		{name: "paths none changed", file: "paths", ev: pushFiles(),
			why: "no changed file matches on.push.paths [src/**, !src/**/*.md]"},
		{name: "paths unknown files match", file: "paths", ev: push("refs/heads/main"), want: true},
		{name: "paths not checked for tags", file: "paths", ev: plan.Event{Name: "push", Ref: "refs/tags/v1", ChangedFilesKnown: true}, want: true},
		{name: "paths-ignore all ignored", file: "paths",
			ev:  plan.Event{Name: "pull_request", BaseRef: "main", ChangedFiles: []string{"docs/a.md", "docs/b/c.md"}, ChangedFilesKnown: true},
			why: "every changed file matches on.pull_request.paths-ignore [docs/**]"},
		{name: "paths-ignore some not ignored", file: "paths",
			ev:   plan.Event{Name: "pull_request", ChangedFiles: []string{"docs/a.md", "main.go"}, ChangedFilesKnown: true},
			want: true},
		{name: "pull request base branch", file: "pull-request", ev: plan.Event{Name: "pull_request", BaseRef: "main", HeadRef: "feature"}, want: true},
		{name: "pull request base ref", file: "pull-request", ev: plan.Event{Name: "pull_request", BaseRef: "refs/heads/main"}, want: true},
		{name: "pull request other base", file: "pull-request", ev: plan.Event{Name: "pull_request", BaseRef: "dev", HeadRef: "main"},
			why: "pull_request base branch dev does not match on.pull_request.branches [main]"},
		{name: "pull request type listed", file: "pull-request", ev: plan.Event{Name: "pull_request", Action: "closed"}, want: true},
		{name: "pull request type not listed", file: "pull-request", ev: plan.Event{Name: "pull_request", Action: "synchronize"},
			why: `pull_request activity "synchronize" is not in on.pull_request.types [opened, closed]`},
		{name: "pull request target default types", file: "pull-request", ev: plan.Event{Name: "pull_request_target", Action: "labeled"},
			why: `pull_request_target activity "labeled" is not in on.pull_request_target.types [opened, synchronize, reopened]`},
		{name: "pull request target default type", file: "pull-request", ev: plan.Event{Name: "pull_request_target", Action: "reopened"}, want: true},
		{name: "event not listed", file: "pull-request", ev: push("refs/heads/main"),
			why: "not triggered by push (on: pull_request, pull_request_target)"},
		{name: "workflow_call only ignores push", file: "call-only", ev: push("refs/heads/main"),
			why: "not triggered by push (on: workflow_call)"},
		{name: "workflow_call only ignores dispatch", file: "call-only", ev: plan.Event{Name: "workflow_dispatch"},
			why: "not triggered by workflow_dispatch (on: workflow_call)"},
		{name: "workflow_call", file: "call-only", ev: plan.Event{Name: "workflow_call"}, want: true},
		{name: "unfiltered push", file: "unfiltered", ev: pushFiles("anything"), want: true},
		{name: "unfiltered dispatch", file: "unfiltered", ev: plan.Event{Name: "workflow_dispatch"}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := parseFile(t, "testdata/trigger/"+tt.file+".yml")
			got, why := w.Triggered(tt.ev)
			if got != tt.want || why != tt.why {
				t.Errorf("Triggered(%+v) = %v, %q; want %v, %q", tt.ev, got, why, tt.want, tt.why)
			}
		})
	}
}
