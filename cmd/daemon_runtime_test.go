package cmd

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

func TestDaemonRuntimeEnv(t *testing.T) {
	t.Parallel()
	jc, err := startJobCache(t.Context(), cache.Config{Dir: t.TempDir()}, jobCacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(jc.Close)
	push := map[string]any{"repository": "o/r", "ref": "refs/heads/dev", "gitea_runtime_token": "rt-gitea", "token": "job-token",
		"event": map[string]any{"repository": map[string]any{"default_branch": "main"}}}
	tests := []struct {
		name      string
		github    map[string]any
		wantToken string
		wantScope *cache.Scope // nil: no ACTIONS_CACHE_URL
	}{
		{"gitea push", push, "rt-gitea", &cache.Scope{Repository: "o/r", Ref: "refs/heads/dev", DefaultBranch: "main"}},
		{"forgejo pull request",
			map[string]any{"repository": "o/r", "ref": "refs/pull/3/head", "base_ref": "main", "forgejo_runtime_token": "rt-forgejo"},
			"rt-forgejo", &cache.Scope{Repository: "o/r", Ref: "refs/pull/3/head", BaseRef: "main"}},
		{"an older forge: the job token", map[string]any{"repository": "o/r", "ref": "refs/tags/v1", "token": "job-token"},
			"job-token", &cache.Scope{Repository: "o/r", Ref: "refs/tags/v1"}},
		{"no ref: no cache", map[string]any{"repository": "o/r", "gitea_runtime_token": "rt"}, "rt", nil},
	}
	log := logrus.New()
	log.SetOutput(&strings.Builder{})
	runtime := daemonRuntime("http://forge.example:3000/", "anvil-test", jc, logrus.NewEntry(log))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := map[string]string{
				"ACTIONS_RUNTIME_URL":            "http://forge.example:3000/api/actions_pipeline/",
				"ACTIONS_RESULTS_URL":            "http://forge.example:3000",
				"ACTIONS_RUNTIME_TOKEN":          tt.wantToken,
				"GITEA_ACTIONS_RUNNER_VERSION":   "anvil-test",
				"FORGEJO_ACTIONS_RUNNER_VERSION": "anvil-test",
			}
			wantCreds := []string{tt.wantToken}
			rt, err := runtime(tt.github)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantScope != nil {
				// A credential names its expiry in seconds: the one
				// expected is issued in the same second.
				creds, err := jc.credentials(*tt.wantScope)
				if err != nil {
					t.Fatal(err)
				}
				if creds.CacheURL != rt.Env["ACTIONS_CACHE_URL"] {
					rt, _ = runtime(tt.github)
				}
				want["ACTIONS_CACHE_URL"] = creds.CacheURL
				wantCreds = append(wantCreds, creds.Token)
			}
			if diff := cmp.Diff(rt.Env, want); diff != "" {
				t.Errorf("runtime env (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(rt.Credentials, wantCreds); diff != "" {
				t.Errorf("credentials to mask (-got +want):\n%s", diff)
			}
		})
	}
}

func TestListenHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host       string
		containers bool
		want       string
	}{
		{"", false, "127.0.0.1"},
		{"", true, ""},
		{"192.0.2.10", false, ""},
		{"cache.internal.example", true, ""},
		{"127.0.0.1", true, "127.0.0.1"},
		{"localhost", true, "localhost"},
	}
	for _, tt := range tests {
		if got := listenHost(tt.host, tt.containers); got != tt.want {
			t.Errorf("listenHost(%q, %t) = %q, want %q", tt.host, tt.containers, got, tt.want)
		}
	}
}

// TestCacheDirOnePerProcess: a second server on a directory in use is
// refused, and served again once the first stops.
func TestCacheDirOnePerProcess(t *testing.T) {
	t.Parallel()
	cfg := cache.Config{Dir: filepath.Join(t.TempDir(), "not", "yet")}
	first, err := startJobCache(t.Context(), cfg, jobCacheOptions{})
	if err != nil {
		t.Fatalf("first server: %v", err)
	}
	if _, err := startJobCache(t.Context(), cfg, jobCacheOptions{}); !errors.Is(err, errCacheDirInUse) {
		t.Errorf("second server on the same directory: %v, want %v", err, errCacheDirInUse)
	}
	first.Close()
	again, err := startJobCache(t.Context(), cfg, jobCacheOptions{})
	if err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
	again.Close()
}

// TestDaemonExternalCache: with cache.external_server and cache.secret
// the daemon starts no server of its own and its jobs save into the
// shared one.
func TestDaemonExternalCache(t *testing.T) {
	t.Parallel()
	const secret = "the fleet's secret"
	dir := t.TempDir()
	srv, err := cache.Open(t.Context(), cache.Options{Dir: filepath.Join(dir, "shared"), Secret: []byte(secret)})
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Shutdown(context.Background()) })

	forge := forgetest.New(t)
	d := newDaemonDir(t, forge, "cache:\n  external_server: http://"+ln.Addr().String()+"/\n  secret: "+secret+"\n")
	p := startDaemon(t, d)
	rec := waitTask(t, forge, forge.AddTask(forgetest.TaskSpec{WorkflowYAML: cacheJob(t, "self-hosted", "save", "shared", 100)}), "save", reported)
	if rec.Status != forgetest.StatusSuccess || !strings.Contains(rowsOf(rec), "cache saved: shared") {
		t.Fatalf("the job: %s\n%s\ndaemon log:\n%s", rec.Status, rowsOf(rec), p.stderr)
	}
	if n, _ := srv.Usage(); n != 1 {
		t.Errorf("the shared server holds %d entries, want 1", n)
	}
	if !strings.Contains(p.stderr.String(), "jobs use the shared cache server") || strings.Contains(p.stderr.String(), "cache server started") {
		t.Errorf("the daemon's log, want the shared server only:\n%s", p.stderr)
	}
	if _, err := os.Stat(filepath.Join(d.dir, ".cache", "anvil", "cache")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the daemon made a cache directory of its own: %v", err)
	}
}
