package gitctx

import (
	"strings"
)

// synthesizePayload builds the github.event payload of an event anvil
// simulates without -e: push, pull_request and workflow_dispatch get the
// fields workflows commonly read; other events get the repository and
// sender.
func synthesizePayload(info Repo, event, ref string, repository map[string]any, actor string) map[string]any {
	sender := map[string]any{"login": actor, "username": actor}
	p := map[string]any{"repository": repository, "sender": sender}
	switch event {
	case "push":
		before := firstNonEmpty(info.Before, zeroSHA)
		commit := headCommit(info, repository)
		p["ref"] = ref
		p["before"] = before
		p["after"] = firstNonEmpty(info.SHA, zeroSHA)
		p["head_commit"] = commit
		p["commits"] = []any{commit}
		p["pusher"] = map[string]any{"name": actor, "email": info.UserEmail, "username": actor}
		p["created"] = before == zeroSHA
		p["deleted"] = false
		p["forced"] = false
	case "pull_request", "pull_request_target":
		head := firstNonEmpty(info.Branch, "HEAD")
		title := strings.SplitN(firstNonEmpty(info.Message, "Local changes"), "\n", 2)[0]
		p["action"] = "opened"
		p["number"] = 1
		p["pull_request"] = map[string]any{
			"number": 1,
			"title":  title,
			"state":  "open",
			"user":   sender,
			"head":   map[string]any{"ref": head, "sha": info.SHA, "repo": repository},
			"base":   map[string]any{"ref": info.DefaultBranch, "sha": info.Before, "repo": repository},
		}
	case "workflow_dispatch":
		p["ref"] = ref
		p["inputs"] = map[string]any{}
	}
	return p
}

// repoObject is the repository object of event payloads.
func repoObject(info Repo, repo, server string) map[string]any {
	owner, name, _ := strings.Cut(repo, "/")
	return map[string]any{
		"full_name":      repo,
		"name":           name,
		"owner":          map[string]any{"login": owner, "username": owner},
		"default_branch": info.DefaultBranch,
		"html_url":       server + "/" + repo,
		"clone_url":      server + "/" + repo + ".git",
		"private":        false,
	}
}

// headCommit is the head_commit object of a push payload.
func headCommit(info Repo, repository map[string]any) map[string]any {
	author := map[string]any{"name": info.Author, "email": info.AuthorMail, "username": info.Author}
	return map[string]any{
		"id":        info.SHA,
		"message":   info.Message,
		"timestamp": info.Timestamp,
		"url":       lookupString(repository, "html_url") + "/commit/" + info.SHA,
		"author":    author,
		"committer": author,
	}
}
