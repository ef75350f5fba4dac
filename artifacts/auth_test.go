package artifacts_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"codeberg.org/anvil-ci/anvil/artifacts"
)

func TestTokensThatProveNothingAreRefused(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil)
	other, err := artifacts.NewLocalTokens("owner/repo")
	if err != nil {
		t.Fatal(err)
	}
	good := ts.tokens.Token(1, 1)
	header, payload, _ := strings.Cut(good, ".")
	forgedClaims := header + "." + strings.Replace(payload, payload[:4], "eyJz", 1) + ".AAAA"
	twirp := ts.hs.URL + "/twirp/github.actions.results.api.v1.ArtifactService/ListArtifacts"
	body := []byte(`{"workflow_run_backend_id":"1","workflow_job_run_backend_id":"1"}`)
	// As Gitea: 401 without a bearer token; 500 for one that names no
	// task (Gitea looks it up and finds none).
	for name, tt := range map[string]struct {
		auth string
		want int
		msg  string
	}{
		"no header":              {"", http.StatusUnauthorized, "Bad authorization header"},
		"not bearer":             {"Basic " + good, http.StatusUnauthorized, "Bad authorization header"},
		"empty bearer":           {"Bearer ", http.StatusUnauthorized, "Bad authorization header"},
		"another server's token": {"Bearer " + other.Token(1, 1), http.StatusInternalServerError, "Error runner api getting task"},
		"forged claims":          {"Bearer " + forgedClaims, http.StatusInternalServerError, "Error runner api getting task"},
		"garbage":                {"Bearer x.y.z", http.StatusInternalServerError, "Error runner api getting task"},
	} {
		for _, call := range []struct{ method, url string }{
			{http.MethodGet, ts.v3(1)},
			{http.MethodPost, ts.v3(1)},
			{http.MethodPost, twirp},
		} {
			h := map[string]string{}
			if tt.auth != "" {
				h["Authorization"] = tt.auth
			}
			if status, resp := ts.request(t, call.method, call.url, "", body, h); status != tt.want || strings.TrimSpace(resp) != tt.msg {
				t.Errorf("%s: %s %s = HTTP %d %q, want %d %q", name, call.method, call.url, status, resp, tt.want, tt.msg)
			}
		}
	}
	if status, resp := ts.request(t, http.MethodPost, twirp, good, body, nil); status != http.StatusOK {
		t.Errorf("the good token: HTTP %d %s, want 200", status, resp)
	}
}

func TestAuthorizerFailureIsAServerError(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, artifacts.AuthorizerFunc(func(context.Context, string) (artifacts.Identity, error) {
		return artifacts.Identity{}, errors.New("database down")
	}))
	if status, _ := ts.request(t, http.MethodGet, ts.v3(1), "token", nil, nil); status != http.StatusInternalServerError {
		t.Errorf("HTTP %d, want 500", status)
	}
}

// Tokens of identities: JWT-shaped, as clients of v4 need, unsigned.
var (
	tokenA1 = fakeJWT(1, 1, "a")
	tokenA2 = fakeJWT(2, 2, "a")
	tokenB1 = fakeJWT(1, 3, "b")
)

func fakeJWT(runID, jobID int64, tag string) string {
	enc := base64.RawURLEncoding
	claims := fmt.Sprintf(`{"scp":"Actions.Results:%d:%d","tag":%q}`, runID, jobID, tag)
	return enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString([]byte(claims)) + ".sig"
}

// identities is an Authorizer over fixed tokens: two repositories with a
// run 1 each, and a run 2 of the first.
func identities() artifacts.Authorizer {
	ids := map[string]artifacts.Identity{
		tokenA1: {Repository: "owner/a", RunID: 1, TaskID: 1},
		tokenA2: {Repository: "owner/a", RunID: 2, TaskID: 2},
		tokenB1: {Repository: "owner/b", RunID: 1, TaskID: 3},
	}
	return artifacts.AuthorizerFunc(func(_ context.Context, token string) (artifacts.Identity, error) {
		if id, ok := ids[token]; ok {
			return id, nil
		}
		return artifacts.Identity{}, artifacts.ErrUnauthorized
	})
}

func TestAnotherRunsArtifactsAreInvisible(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, identities())
	owner := ts.clientWithToken(1, tokenA1)
	if err := owner.UploadV3(t.Context(), "v3", writeTree(t, map[string]string{"f": "secret"}), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.UploadV4(t.Context(), "v4", strings.NewReader("secret"), 0); err != nil {
		t.Fatal(err)
	}
	for _, o := range []struct {
		name, token string
		runID       int64
	}{{"run 2 of the repository", tokenA2, 2}, {"run 1 of another repository", tokenB1, 1}} {
		token, runID := o.name, o.runID
		other := ts.clientWithToken(runID, o.token)
		if _, err := other.ListV3(t.Context()); err == nil || !strings.Contains(err.Error(), "404") {
			t.Errorf("%s: ListV3 = %v, want HTTP 404", token, err)
		}
		if list, err := other.ListV4(t.Context(), ""); err != nil || len(list) != 0 {
			t.Errorf("%s: ListV4 = %v, %v, want none", token, list, err)
		}
		if err := other.DownloadV4(t.Context(), "v4", &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "404") {
			t.Errorf("%s: DownloadV4 = %v, want HTTP 404", token, err)
		}
		// The owner's artifact by id, through this run's URL.
		if status, _ := ts.request(t, http.MethodGet, ts.v3(runID)+"/1/download", o.token, nil, nil); status != http.StatusBadRequest {
			t.Errorf("%s: download of artifact 1 = HTTP %d, want 400", token, status)
		}
	}
	// A token naming run 2 cannot use run 1's URLs.
	if status, _ := ts.request(t, http.MethodGet, ts.v3(1), tokenA2, nil, nil); status != http.StatusBadRequest {
		t.Errorf("a2 listing run 1 = HTTP %d, want 400 run-id does not match", status)
	}
	twirp := ts.hs.URL + "/twirp/github.actions.results.api.v1.ArtifactService/GetSignedArtifactURL"
	if status, _ := ts.request(t, http.MethodPost, twirp, tokenA2, []byte(`{"workflow_run_backend_id":"1","name":"v4"}`), nil); status != http.StatusBadRequest {
		t.Errorf("a2 asking for run 1's artifact = HTTP %d, want 400 run-id does not match", status)
	}
}

func TestTaskCheckerEndsSignedURLs(t *testing.T) {
	t.Parallel()
	var running atomic.Bool
	running.Store(true)
	auth := struct {
		artifacts.Authorizer
		artifacts.TaskChecker
	}{identities(), taskCheckerFunc(func(int64) bool { return running.Load() })}
	ts := newTestServer(t, auth)
	signed := create(t, ts, tokenA1, "a")
	if status, body := ts.request(t, http.MethodPut, signed+"&comp=block", "", []byte("x"), nil); status != http.StatusCreated {
		t.Fatalf("PUT while the task runs = HTTP %d %s", status, body)
	}
	running.Store(false)
	if status, body := ts.request(t, http.MethodPut, signed+"&comp=block", "", []byte("x"), nil); status != http.StatusInternalServerError || !strings.Contains(body, "task is not running") {
		t.Errorf("PUT after the task ended = HTTP %d %s, want Gitea's 500 task is not running", status, body)
	}
}

type taskCheckerFunc func(int64) bool

func (f taskCheckerFunc) TaskRunning(_ context.Context, id int64) bool { return f(id) }
