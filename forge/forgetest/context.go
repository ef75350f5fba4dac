package forgetest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/nektos/act/pkg/model"
)

// runInfo is what the github context of a run's jobs is made of.
type runInfo struct {
	id, index    int64
	workflow     string // the file name, e.g. ci.yml
	triggerEvent string // event_name
	ref, sha     string
	actor        string
	repository   string // owner/name
	event        map[string]any
}

// giteaContext is the github context Gitea 1.25.4 sends (its
// GenerateGiteaContext): job empty gives the run-level context the server
// evaluates expressions with (no job, run_id or run_attempt).
func (s *Server) giteaContext(r runInfo, job string, attempt int) map[string]any {
	base := strings.TrimSuffix(s.URL(), "/") + "/"
	owner, _, _ := strings.Cut(r.repository, "/")
	headRef, baseRef := pullRequestRefs(r.event)
	ref, sha := r.ref, r.sha
	if r.triggerEvent == "pull_request_target" {
		if b, ok := nested(r.event, "pull_request", "base"); ok {
			ref = "refs/heads/" + str(b["ref"])
			sha = str(b["sha"])
		}
	}
	c := map[string]any{
		"action": "", "action_path": "", "action_ref": "", "action_repository": "", "action_status": "",
		"actor": r.actor, "api_url": base + "api/v1", "base_ref": baseRef, "env": "",
		"event": r.event, "event_name": r.triggerEvent, "event_path": "", "graphql_url": "",
		"head_ref": headRef, "job": "", "ref": ref, "ref_name": refShortName(ref), "ref_protected": false,
		"ref_type": refType(ref), "path": "", "repository": r.repository, "repository_owner": owner,
		"repositoryUrl": base + r.repository, "retention_days": "", "run_id": "",
		"run_number": strconv.FormatInt(r.index, 10), "run_attempt": "", "secret_source": "Actions",
		"server_url": base, "sha": sha, "triggering_actor": "", "workflow": r.workflow, "workspace": "",
		"gitea_default_actions_url": s.defaultActionsURL(),
	}
	if job != "" {
		c["job"] = job
		c["run_id"] = strconv.FormatInt(r.id, 10)
		c["run_attempt"] = strconv.Itoa(attempt)
	}
	return c
}

// defaultActionsURL is Gitea's DEFAULT_ACTIONS_URL: github or self.
func (s *Server) defaultActionsURL() string {
	if s.opts.actionsURL == "self" {
		return strings.TrimSuffix(s.URL(), "/")
	}
	return s.opts.actionsURL
}

// githubContext is the run-level context as act's expression evaluator
// takes it (Gitea's ToGitHubContext: no token).
func githubContext(c map[string]any) *model.GithubContext {
	event, _ := c["event"].(map[string]any)
	return &model.GithubContext{
		Event: event, EventPath: str(c["event_path"]), Workflow: str(c["workflow"]),
		RunID: str(c["run_id"]), RunNumber: str(c["run_number"]), Actor: str(c["actor"]),
		Repository: str(c["repository"]), EventName: str(c["event_name"]), Sha: str(c["sha"]),
		Ref: str(c["ref"]), RefName: str(c["ref_name"]), RefType: str(c["ref_type"]),
		HeadRef: str(c["head_ref"]), BaseRef: str(c["base_ref"]), Workspace: str(c["workspace"]),
		Action: str(c["action"]), ActionPath: str(c["action_path"]), ActionRef: str(c["action_ref"]),
		ActionRepository: str(c["action_repository"]), Job: str(c["job"]),
		RepositoryOwner: str(c["repository_owner"]), RetentionDays: str(c["retention_days"]),
		ServerURL: str(c["server_url"]), APIURL: str(c["api_url"]), GraphQLURL: str(c["graphql_url"]),
	}
}

// pullRequestRefs reads head and base branch from a pull request payload.
func pullRequestRefs(event map[string]any) (head, base string) {
	h, okH := nested(event, "pull_request", "head")
	b, okB := nested(event, "pull_request", "base")
	if !okH || !okB {
		return "", ""
	}
	return str(h["ref"]), str(b["ref"])
}

func nested(m map[string]any, keys ...string) (map[string]any, bool) {
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil, false
		}
		m = next
	}
	return m, true
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// refShortName is a ref without its refs/heads/, refs/tags/, refs/pull/
// (and /head) or refs/for/ prefix; anything else stays whole.
func refShortName(ref string) string {
	switch {
	case strings.HasPrefix(ref, "refs/heads/"):
		return strings.TrimPrefix(ref, "refs/heads/")
	case strings.HasPrefix(ref, "refs/tags/"):
		return strings.TrimPrefix(ref, "refs/tags/")
	case strings.HasPrefix(ref, "refs/remotes/"):
		return strings.TrimPrefix(ref, "refs/remotes/")
	case strings.HasPrefix(ref, "refs/pull/") && strings.IndexByte(ref[len("refs/pull/"):], '/') > 0:
		rest := ref[len("refs/pull/"):]
		return rest[:strings.IndexByte(rest, '/')]
	case strings.HasPrefix(ref, "refs/for/"):
		return strings.TrimPrefix(ref, "refs/for/")
	}
	return ref
}

// refType is branch, tag, commit (a bare sha) or empty (a pull ref).
func refType(ref string) string {
	switch {
	case strings.HasPrefix(ref, "refs/heads/"):
		return "branch"
	case strings.HasPrefix(ref, "refs/tags/"):
		return "tag"
	case len(ref) >= 6 && len(ref) <= 64 && isHex(ref):
		return "commit"
	}
	return ""
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s + strings.Repeat("0", len(s)%2))
	return err == nil
}

// runtimeToken is a JWT-shaped bearer for the artifact and cache APIs
// with Gitea's claims; the forge does not check it.
func runtimeToken(taskID, runID, jobSeq int64) string {
	enc := base64.RawURLEncoding
	claims, _ := json.Marshal(map[string]any{ // a map of numbers always marshals
		"scp": fmt.Sprintf("Actions.Results:%d:%d", runID, jobSeq), "TaskID": taskID, "RunID": runID, "JobID": jobSeq,
	})
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims) + "." + randomHex(16)
}

// jsonMap normalizes values to what encoding/json decodes (for structpb).
func jsonMap(in map[string]any) (map[string]any, error) {
	if in == nil {
		return nil, nil
	}
	// Keep nil values (deletions) through the round trip.
	data, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(data, &out)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
