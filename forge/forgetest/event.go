package forgetest

import (
	"strconv"
	"strings"
)

// The webhook payloads the forge puts in github.event, shaped as Gitea's
// (the same top-level keys; repository and user objects carry a subset of
// Gitea's fields, with the same values).

const zeroSHA = "0000000000000000000000000000000000000000"

// PullRequest describes the pull request of a pull_request or
// pull_request_target event.
type PullRequest struct {
	// Number is the pull request's index (default 1).
	Number int
	// Head and Base are the branch names (default "feature" and "main").
	Head, Base string
	// Action is the event's action: opened (default), synchronized,
	// reopened, closed, edited, labeled, ...
	Action string
	// Title defaults to "a pr".
	Title string
}

func (p PullRequest) withDefaults() PullRequest {
	if p.Number == 0 {
		p.Number = 1
	}
	if p.Head == "" {
		p.Head = "feature"
	}
	if p.Base == "" {
		p.Base = "main"
	}
	if p.Action == "" {
		p.Action = "opened"
	}
	if p.Title == "" {
		p.Title = "a pr"
	}
	return p
}

// payloads builds webhook payloads for one repository on the forge.
type payloads struct {
	base  string // the forge's URL with a trailing slash
	owner string
	name  string
}

func newPayloads(serverURL, fullName string) payloads {
	owner, name, ok := strings.Cut(fullName, "/")
	if !ok {
		owner, name = "forgetest", fullName
	}
	return payloads{base: strings.TrimSuffix(serverURL, "/") + "/", owner: owner, name: name}
}

func (p payloads) user(login string) map[string]any {
	return map[string]any{
		"id": 1, "login": login, "username": login, "full_name": "", "login_name": "",
		"html_url": p.base + login, "is_admin": false, "restricted": false, "active": false,
		"description": "", "website": "", "location": "", "language": "", "visibility": "public",
	}
}

func (p payloads) repository() map[string]any {
	html := p.base + p.owner + "/" + p.name
	return map[string]any{
		"id": 1, "name": p.name, "full_name": p.owner + "/" + p.name, "owner": p.user(p.owner),
		"html_url": html, "clone_url": html + ".git", "url": p.base + "api/v1/repos/" + p.owner + "/" + p.name,
		"default_branch": "main", "description": "", "website": "", "private": false, "fork": false,
		"empty": false, "mirror": false, "template": false, "archived": false, "internal": false,
		"has_actions": true, "object_format_name": "sha1",
	}
}

func (p payloads) commit(sha string) map[string]any {
	return map[string]any{
		"id": sha, "message": "forgetest commit\n",
		"url":       p.base + p.owner + "/" + p.name + "/commit/" + sha,
		"author":    map[string]any{"name": p.owner, "email": p.owner + "@forge.invalid", "username": ""},
		"committer": map[string]any{"name": p.owner, "email": p.owner + "@forge.invalid", "username": ""},
		"added":     []any{}, "removed": []any{}, "modified": []any{}, "verification": nil,
	}
}

// push is a push of sha to ref; before is the previous head (zeros for a
// new branch or tag).
func (p payloads) push(ref, before, sha, actor string) map[string]any {
	head := p.commit(sha)
	return map[string]any{
		"ref": ref, "before": before, "after": sha, "compare_url": p.base,
		"commits": []any{head}, "head_commit": head, "total_commits": 0,
		"repository": p.repository(), "pusher": p.user(actor), "sender": p.user(actor),
	}
}

// dispatch is a workflow_dispatch of workflow on ref as the user gave it
// (a branch name or a full ref), with the inputs the forge kept.
func (p payloads) dispatch(workflow, ref string, inputs map[string]any, actor string) map[string]any {
	return map[string]any{
		"workflow": workflow, "ref": ref, "inputs": inputs,
		"repository": p.repository(), "sender": p.user(actor),
	}
}

func (p payloads) pullRequest(pr PullRequest, sha, actor string) map[string]any {
	html := p.base + p.owner + "/" + p.name + "/pulls/" + strconv.Itoa(pr.Number)
	branch := func(name string) map[string]any {
		return map[string]any{"label": name, "ref": name, "sha": sha, "repo_id": 1, "repo": p.repository()}
	}
	return map[string]any{
		"action": pr.Action, "number": pr.Number, "commit_id": "", "requested_reviewer": nil, "review": nil,
		"pull_request": map[string]any{
			"id": pr.Number, "number": pr.Number, "title": pr.Title, "body": "", "state": "open",
			"user": p.user(actor), "head": branch(pr.Head), "base": branch(pr.Base),
			"html_url": html, "url": html, "diff_url": html + ".diff", "patch_url": html + ".patch",
			"merge_base": sha, "merged": false, "mergeable": true, "draft": false, "is_locked": false,
			"labels": []any{}, "assignees": []any{}, "requested_reviewers": []any{},
		},
		"repository": p.repository(), "sender": p.user(actor),
	}
}

// other is the payload of any other event: the repository and sender.
func (p payloads) other(actor string) map[string]any {
	return map[string]any{"repository": p.repository(), "sender": p.user(actor)}
}
