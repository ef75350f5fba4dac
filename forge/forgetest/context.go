package forgetest

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// defaultContext is the github context the forge builds for a task: the
// keys Gitea's generateTaskContext sets, for a push to main of
// forgetest/repo.
func (s *Server) defaultContext(t *taskState, runID int64) map[string]any {
	base := s.URL()
	sum := sha1.Sum([]byte(fmt.Sprintf("forgetest task %d", t.id)))
	sha := hex.EncodeToString(sum[:])
	repo := map[string]any{
		"name": "repo", "full_name": "forgetest/repo", "default_branch": "main",
		"html_url": base + "/forgetest/repo", "clone_url": base + "/forgetest/repo.git",
		"owner": map[string]any{"login": "forgetest", "username": "forgetest"},
	}
	return map[string]any{
		"action": "", "action_path": "", "action_ref": "", "action_repository": "", "action_status": "",
		"actor": "forgetest", "api_url": base + "/api/v1", "base_ref": "", "env": "",
		"event": map[string]any{
			"ref": "refs/heads/main", "before": "0000000000000000000000000000000000000000", "after": sha,
			"repository": repo, "pusher": map[string]any{"login": "forgetest"}, "sender": map[string]any{"login": "forgetest"},
		},
		"event_name": "push", "event_path": "", "graphql_url": "", "head_ref": "", "job": t.job.id,
		"ref": "refs/heads/main", "ref_name": "main", "ref_protected": false, "ref_type": "branch", "path": "",
		"repository": "forgetest/repo", "repository_owner": "forgetest", "repositoryUrl": base + "/forgetest/repo",
		"retention_days": "", "run_id": fmt.Sprint(runID), "run_number": fmt.Sprint(runID), "run_attempt": "1",
		"secret_source": "Actions", "server_url": base, "sha": sha, "token": t.token, "triggering_actor": "forgetest",
		"workflow": "ci.yml", "workspace": "",
		"gitea_default_actions_url": s.opts.actionsURL,
		"gitea_runtime_token":       "eyJhbGciOiJIUzI1NiJ9." + randomHex(24) + "." + randomHex(16),
	}
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
