package artifacts

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// ErrUnauthorized is what an Authorizer wraps when a token proves nothing:
// unknown, forged or expired. As Gitea, the server answers 500 "Error
// runner api getting task" (Gitea looks such a token up as a task's and
// finds none).
var ErrUnauthorized = errors.New("the runtime token is not valid")

// ErrTaskNotRunning is what an Authorizer wraps when a token is a task's
// that is no longer running. As Gitea, the server answers 500 "Error
// runner api getting task: task is not running".
var ErrTaskNotRunning = errors.New("the runtime token's task is not running")

// Identity is what a runtime token proves: the job's repository, run and
// task. Artifacts belong to a repository and run.
type Identity struct {
	Repository string // owner/name; may be empty where there is one
	RunID      int64  // github.run_id: the run_id of v3 URLs, the workflow_run_backend_id of v4
	TaskID     int64  // the job's task; signed URLs name it
}

// Authorizer turns the bearer token of a request into the job's identity.
// It returns an error wrapping ErrUnauthorized for a token that proves
// nothing; any other error is the authorizer's own failure (HTTP 500).
// It must be safe for concurrent use.
type Authorizer interface {
	Authorize(ctx context.Context, token string) (Identity, error)
}

// AuthorizerFunc adapts a function to Authorizer.
type AuthorizerFunc func(ctx context.Context, token string) (Identity, error)

// Authorize calls f.
func (f AuthorizerFunc) Authorize(ctx context.Context, token string) (Identity, error) {
	return f(ctx, token)
}

// TaskChecker is an optional ability of an Authorizer: where it has one,
// signed URLs work only while the task that asked for them is running, as
// on Gitea.
type TaskChecker interface {
	TaskRunning(ctx context.Context, taskID int64) bool
}

// msgTaskNotRunning is Gitea's answer to a request of a task that ended.
const msgTaskNotRunning = "Error runner api getting task: task is not running"

// authorize reads the bearer token of r. It writes the refusal itself and
// returns false when there is none or it proves nothing.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, fail func(http.ResponseWriter, int, string)) (Identity, bool) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		fail(w, http.StatusUnauthorized, "Bad authorization header")
		return Identity{}, false
	}
	id, err := s.cfg.Authorizer.Authorize(r.Context(), token)
	switch {
	case errors.Is(err, ErrTaskNotRunning):
		fail(w, http.StatusInternalServerError, msgTaskNotRunning)
		return Identity{}, false
	case errors.Is(err, ErrUnauthorized):
		fail(w, http.StatusInternalServerError, "Error runner api getting task")
		return Identity{}, false
	case err != nil:
		fail(w, http.StatusInternalServerError, "Error checking the runtime token")
		return Identity{}, false
	}
	return id, true
}
