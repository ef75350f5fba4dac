package gitctx

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// featureRepo is what readRepo says about a branch with two commits.
var featureRepo = Repo{
	IsRepo: true, Branch: "feature", SHA: "bbbb", Before: "aaaa", DefaultBranch: "main",
	RemoteURL: "git@codeberg.org:acme/rocket.git", UserName: "Grace", UserEmail: "grace@example.com",
	Message: "second\n\nbody", Timestamp: "2025-01-02T03:04:05+00:00", Author: "Ada", AuthorMail: "ada@example.com",
	Changed: []string{"b.txt"}, ChangedKnown: true,
}

func TestBuildGithub(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		info Repo
		in   Input
		// want lists context entries to check; event entries are checked
		// through wantEvent.
		want      map[string]any
		wantPlan  plan.Event
		wantEvent map[string]any
		wantIn    map[string]any
	}{
		{
			name: "push from a branch with an ssh remote",
			info: featureRepo,
			in:   Input{EventName: "push", Dir: "/src/rocket", User: "fallback", RunID: "42"},
			want: map[string]any{
				"event_name": "push", "ref": "refs/heads/feature", "ref_name": "feature", "ref_type": "branch",
				"sha": "bbbb", "repository": "acme/rocket", "repository_owner": "acme", "actor": "Grace", "triggering_actor": "Grace",
				"workspace": "/src/rocket", "server_url": "http://localhost:3000", "api_url": "http://localhost:3000/api/v1",
				"run_id": "42", "run_number": "1", "run_attempt": "1", "base_ref": "", "head_ref": "",
			},
			wantPlan:  plan.Event{Name: "push", Ref: "refs/heads/feature", ChangedFiles: []string{"b.txt"}, ChangedFilesKnown: true},
			wantEvent: map[string]any{"ref": "refs/heads/feature", "before": "aaaa", "after": "bbbb", "created": false},
			wantIn:    map[string]any{},
		},
		{
			name:      "-a sets the actor over git's user.name, as in act",
			info:      featureRepo,
			in:        Input{EventName: "workflow_dispatch", Dir: "/src/rocket", Actor: "octocat", User: "fallback"},
			want:      map[string]any{"actor": "octocat", "triggering_actor": "octocat"},
			wantPlan:  plan.Event{Name: "workflow_dispatch", Ref: "refs/heads/feature"},
			wantEvent: map[string]any{"sender": map[string]any{"login": "octocat", "username": "octocat"}},
			wantIn:    map[string]any{},
		},
		{
			name: "no remote, no user name, first commit",
			info: Repo{IsRepo: true, Branch: "main", SHA: "cccc", DefaultBranch: "main", ChangedKnown: false},
			in:   Input{EventName: "push", Dir: "/work/thing", User: "ci-user", RunID: "1"},
			want: map[string]any{
				"repository": "local/thing", "repository_owner": "local", "actor": "ci-user",
				"server_url": "http://localhost:3000",
			},
			wantPlan:  plan.Event{Name: "push", Ref: "refs/heads/main"},
			wantEvent: map[string]any{"before": zeroSHA, "after": "cccc", "created": true},
			wantIn:    map[string]any{},
		},
		{
			name: "https remote gives the server url",
			info: Repo{IsRepo: true, Tag: "v2", SHA: "dddd", DefaultBranch: "main", RemoteURL: "https://tok@forge.example.com:8443/org/app.git"},
			in:   Input{EventName: "push", Dir: "/x"},
			want: map[string]any{
				"ref": "refs/tags/v2", "ref_name": "v2", "ref_type": "tag", "repository": "org/app",
				"server_url": "https://forge.example.com:8443", "api_url": "https://forge.example.com:8443/api/v1", "actor": "anvil",
			},
			wantPlan:  plan.Event{Name: "push", Ref: "refs/tags/v2"},
			wantEvent: map[string]any{"ref": "refs/tags/v2"},
			wantIn:    map[string]any{},
		},
		{
			name: "synthesized pull_request",
			info: featureRepo,
			in:   Input{EventName: "pull_request", Dir: "/src/rocket"},
			want: map[string]any{
				"ref": "refs/pull/1/merge", "ref_name": "1/merge", "ref_type": "", "base_ref": "main", "head_ref": "feature",
			},
			wantPlan:  plan.Event{Name: "pull_request", Ref: "refs/pull/1/merge", BaseRef: "main", HeadRef: "feature"},
			wantEvent: map[string]any{"action": "opened", "number": 1},
			wantIn:    map[string]any{},
		},
		{
			name: "pull_request payload from -e",
			info: featureRepo,
			in: Input{EventName: "pull_request", Dir: "/src/rocket", Payload: map[string]any{
				"number":       float64(7),
				"pull_request": map[string]any{"base": map[string]any{"ref": "release"}, "head": map[string]any{"ref": "fix"}},
			}},
			want:      map[string]any{"ref": "refs/pull/7/merge", "base_ref": "release", "head_ref": "fix"},
			wantPlan:  plan.Event{Name: "pull_request", Ref: "refs/pull/7/merge", BaseRef: "release", HeadRef: "fix"},
			wantEvent: map[string]any{"number": float64(7)},
			wantIn:    map[string]any{},
		},
		{
			name: "push payload ref wins and changed files stay unknown",
			info: featureRepo,
			in:   Input{EventName: "push", Dir: "/src/rocket", Payload: map[string]any{"ref": "refs/heads/other"}},
			want: map[string]any{"ref": "refs/heads/other", "ref_name": "other"},
			// A payload may be about another commit: no git diff.
			wantPlan:  plan.Event{Name: "push", Ref: "refs/heads/other"},
			wantEvent: map[string]any{"ref": "refs/heads/other"},
			wantIn:    map[string]any{},
		},
		{
			name: "workflow_dispatch inputs: flags over payload",
			info: featureRepo,
			in: Input{EventName: "workflow_dispatch", Dir: "/src/rocket",
				Payload: map[string]any{"inputs": map[string]any{"level": "info", "dry": true}},
				Inputs:  map[string]any{"level": "debug"}},
			want:      map[string]any{"ref": "refs/heads/feature"},
			wantPlan:  plan.Event{Name: "workflow_dispatch", Ref: "refs/heads/feature"},
			wantEvent: map[string]any{"inputs": map[string]any{"level": "debug", "dry": true}},
			wantIn:    map[string]any{"level": "debug", "dry": true},
		},
		{
			name:      "release payload gives a tag ref",
			info:      featureRepo,
			in:        Input{EventName: "release", Dir: "/r", Payload: map[string]any{"release": map[string]any{"tag_name": "v3"}}},
			want:      map[string]any{"ref": "refs/tags/v3", "ref_type": "tag"},
			wantPlan:  plan.Event{Name: "release", Ref: "refs/tags/v3"},
			wantEvent: map[string]any{},
			wantIn:    map[string]any{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Build(tt.info, tt.in)
			picked := map[string]any{}
			for k := range tt.want {
				picked[k] = got.Context[k]
			}
			if diff := cmp.Diff(picked, tt.want); diff != "" {
				t.Errorf("Build() context (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(got.Event, tt.wantPlan); diff != "" {
				t.Errorf("Build() planning event (-got +want):\n%s", diff)
			}
			event, _ := got.Context["event"].(map[string]any)
			pickedEvent := map[string]any{}
			for k := range tt.wantEvent {
				pickedEvent[k] = event[k]
			}
			if diff := cmp.Diff(pickedEvent, tt.wantEvent); diff != "" {
				t.Errorf("Build() event payload (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(got.Inputs, tt.wantIn); diff != "" {
				t.Errorf("Build() inputs (-got +want):\n%s", diff)
			}
		})
	}
}

// TestGithubFromRealRepo builds the context from a repository made with
// git, as anvil exec does.
func TestGithubFromRealRepo(t *testing.T) {
	t.Parallel()
	dir := newRepo(t)
	info, err := Read(t.Context(), dir, testEnv(t))
	if err != nil {
		t.Fatal(err)
	}
	got := Build(info, Input{EventName: "push", Dir: dir, RunID: "9"})
	sha := testkit.Git(t, dir, "rev-parse", "HEAD")
	want := map[string]any{
		"ref": "refs/heads/feature", "sha": sha, "repository": "acme/rocket", "repository_owner": "acme",
		"actor": "Grace Hopper", "server_url": "https://forge.example.com", "api_url": "https://forge.example.com/api/v1",
	}
	picked := map[string]any{}
	for k := range want {
		picked[k] = got.Context[k]
	}
	if diff := cmp.Diff(picked, want); diff != "" {
		t.Errorf("github context (-got +want):\n%s", diff)
	}
	commit := got.Context["event"].(map[string]any)["head_commit"].(map[string]any)
	wantCommit := map[string]any{"id": sha, "message": "second\n\nbody", "url": "https://forge.example.com/acme/rocket/commit/" + sha}
	for k, v := range wantCommit {
		if commit[k] != v {
			t.Errorf("head_commit.%s = %v, want %v", k, commit[k], v)
		}
	}
	if diff := cmp.Diff(got.Event.ChangedFiles, []string{"b.txt", "docs/c.md"}); diff != "" {
		t.Errorf("changed files (-got +want):\n%s", diff)
	}
}
