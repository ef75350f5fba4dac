package forgetest

import (
	"context"

	"codeberg.org/anvil-ci/anvil/artifacts"
)

// serveArtifacts mounts Gitea's artifact APIs (v3 under
// /api/actions_pipeline/, v4 under /twirp/...ArtifactService/) on the
// forge, with the runtime tokens the forge puts into its tasks' contexts.
func (s *Server) serveArtifacts() {
	srv, err := artifacts.New(artifacts.Config{Dir: s.tb.TempDir(), Authorizer: taskTokens{s}})
	if err != nil {
		s.tb.Fatalf("forgetest: artifact server: %v", err)
		return
	}
	s.mux.Handle(artifacts.V3Prefix, srv.Handler())
	s.mux.Handle(artifacts.V4Prefix, srv.Handler())
}

// taskTokens authorizes with a task's gitea_runtime_token, as Gitea's
// ArtifactContexter: only the token of a running task works (another
// task's is refused as not running), and it proves the task's repository
// and run.
type taskTokens struct{ s *Server }

func (a taskTokens) Authorize(_ context.Context, token string) (artifacts.Identity, error) {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	for _, t := range a.s.tasks {
		if t.context["gitea_runtime_token"] != token {
			continue
		}
		if t.status != StatusRunning {
			return artifacts.Identity{}, artifacts.ErrTaskNotRunning
		}
		repo, _ := t.context["repository"].(string)
		return artifacts.Identity{Repository: repo, RunID: t.runID, TaskID: t.id}, nil
	}
	return artifacts.Identity{}, artifacts.ErrUnauthorized
}

// TaskRunning makes signed URLs work only while their task runs, as on
// Gitea.
func (a taskTokens) TaskRunning(_ context.Context, taskID int64) bool {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	t, ok := a.s.tasks[taskID]
	return ok && t.status == StatusRunning
}
