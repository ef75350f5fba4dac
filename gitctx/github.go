package gitctx

import (
	"fmt"
	"path/filepath"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// zeroSHA is the before of a push that created its branch.
const zeroSHA = "0000000000000000000000000000000000000000"

// Input is what the github context needs besides the repository.
type Input struct {
	// EventName is the event to simulate (push, pull_request, ...).
	EventName string
	// Payload is the -e event payload; nil means synthesize one.
	Payload map[string]any
	// Inputs are the --input flags; they override the payload's inputs.
	Inputs map[string]any
	// Dir is the repository directory (absolute): the workspace until the
	// engine sets each job's own, and the name of a repository without a
	// remote.
	Dir string
	// Actor is the -a flag: github.actor and triggering_actor. Empty means
	// git's user.name, else User.
	Actor string
	// User is $USER, the actor when git has no user.name.
	User string
	// RunID identifies this run.
	RunID string
}

// Run is the github context of a run with what planning needs.
type Run struct {
	Context map[string]any
	Event   plan.Event
	// Inputs are the payload's inputs with the --input flags over them.
	Inputs map[string]any
}

// Build builds the github context and the planning event from what git
// said and the user asked for. It does no I/O.
func Build(info Repo, in Input) Run {
	rem := ParseRemote(info.RemoteURL)
	repo := rem.Repository
	if repo == "" {
		repo = "local/" + filepath.Base(in.Dir)
	}
	owner, _, _ := strings.Cut(repo, "/")
	server := rem.ServerURL
	if server == "" {
		server = DefaultServerURL
	}
	actor := firstNonEmpty(in.Actor, info.UserName, in.User, "anvil")
	gitRef := "refs/heads/" + info.DefaultBranch
	switch {
	case info.Branch != "":
		gitRef = "refs/heads/" + info.Branch
	case info.Tag != "":
		gitRef = "refs/tags/" + info.Tag
	case !info.IsRepo:
		gitRef = "refs/heads/main"
	}

	inputs := map[string]any{}
	payload := in.Payload
	if payload == nil {
		payload = synthesizePayload(info, in.EventName, gitRef, repoObject(info, repo, server), actor)
	}
	if pi, ok := payload["inputs"].(map[string]any); ok {
		for k, v := range pi {
			inputs[k] = v
		}
	}
	for k, v := range in.Inputs {
		inputs[k] = v
	}
	if in.EventName == "workflow_dispatch" {
		payload["inputs"] = inputs
	}

	ref := refFromPayload(in.EventName, payload)
	if ref == "" {
		ref = gitRef
	}
	var baseRef, headRef string
	if in.EventName == "pull_request" || in.EventName == "pull_request_target" {
		baseRef = lookupString(payload, "pull_request", "base", "ref")
		headRef = lookupString(payload, "pull_request", "head", "ref")
	}
	refName, refType := splitRef(ref)

	ctx := map[string]any{
		"event_name":       in.EventName,
		"event":            payload,
		"ref":              ref,
		"ref_name":         refName,
		"ref_type":         refType,
		"sha":              info.SHA,
		"base_ref":         baseRef,
		"head_ref":         headRef,
		"repository":       repo,
		"repository_owner": owner,
		"actor":            actor,
		"triggering_actor": actor,
		"workspace":        in.Dir,
		"server_url":       server,
		"api_url":          server + "/api/v1",
		"run_id":           in.RunID,
		"run_number":       "1",
		"run_attempt":      "1",
		"retention_days":   "0",
	}
	ev := plan.Event{Name: in.EventName, Ref: ref, BaseRef: baseRef, HeadRef: headRef}
	if in.EventName == "push" && in.Payload == nil {
		ev.ChangedFiles, ev.ChangedFilesKnown = info.Changed, info.ChangedKnown
	}
	return Run{Context: ctx, Event: ev, Inputs: inputs}
}

// refFromPayload finds the ref an event payload implies, as act does; ""
// when it implies none.
func refFromPayload(event string, payload map[string]any) string {
	switch event {
	case "pull_request_target":
		if base := lookupString(payload, "pull_request", "base", "ref"); base != "" {
			return "refs/heads/" + base
		}
	case "pull_request", "pull_request_review", "pull_request_review_comment":
		switch n := payload["number"].(type) {
		case float64:
			return fmt.Sprintf("refs/pull/%.0f/merge", n)
		case int:
			return fmt.Sprintf("refs/pull/%d/merge", n)
		}
	case "release":
		if tag := lookupString(payload, "release", "tag_name"); tag != "" {
			return "refs/tags/" + tag
		}
	case "push", "create", "delete", "workflow_dispatch":
		return lookupString(payload, "ref")
	}
	return ""
}

// splitRef returns ref_name and ref_type for a full ref.
func splitRef(ref string) (name, kind string) {
	switch {
	case strings.HasPrefix(ref, "refs/heads/"):
		return strings.TrimPrefix(ref, "refs/heads/"), "branch"
	case strings.HasPrefix(ref, "refs/tags/"):
		return strings.TrimPrefix(ref, "refs/tags/"), "tag"
	case strings.HasPrefix(ref, "refs/pull/"):
		return strings.TrimPrefix(ref, "refs/pull/"), ""
	}
	return ref, ""
}

// lookupString follows keys through nested maps and returns the string at
// the end, or "".
func lookupString(m map[string]any, keys ...string) string {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = mm[k]
	}
	s, _ := v.(string)
	return s
}

// firstNonEmpty returns the first non-empty string.
func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
