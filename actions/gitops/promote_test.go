package gitops_test

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/gitops"
	"codeberg.org/anvil-ci/anvil/actions/gitops/gitopstest"
)

const kustomization = `# overlay for production
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

resources:
- ../../base

images:
- name: ghcr.io/acme/web
  newTag: 1.0.0 # set by CI
- name: ghcr.io/acme/api
  newTag: 1.0.0
`

// noSleep skips the pauses between push attempts.
func noSleep(context.Context, time.Duration) error { return nil }

// newConfigRepo starts a git server with one config repository.
func newConfigRepo(t *testing.T) (*gitopstest.Server, *gitopstest.Repo) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatalf("these tests need git: %v", err)
	}
	srv := gitopstest.NewTest(t, gitopstest.Options{})
	repo := srv.MustRepo(t, "acme/config", map[string]string{
		"apps/web/kustomization.yaml": kustomization,
		"apps/api/values.yaml":        "image:\n  tag: \"1.0\"\n",
	})
	return srv, repo
}

func baseConfig(t *testing.T, srv *gitopstest.Server, repo *gitopstest.Repo) gitops.Config {
	return gitops.Config{
		Repository: repo.URL(),
		Branch:     "main",
		Token:      srv.Token,
		File:       "apps/web/kustomization.yaml",
		Change:     gitops.Change{Image: "ghcr.io/acme/web", Value: "1.1.0"},
		Author:     gitops.Author{Name: "Anvil Test", Email: "anvil@example.invalid"},
		WorkDir:    t.TempDir(),
		Sleep:      noSleep,
	}
}

func TestPromote(t *testing.T) {
	t.Parallel()
	srv, repo := newConfigRepo(t)
	before := repo.MustHead(t)
	var log bytes.Buffer
	res, err := gitops.Promote(t.Context(), baseConfig(t, srv, repo), &log)
	if err != nil {
		t.Fatalf("Promote: %v\n%s", err, log.String())
	}
	head := repo.MustHead(t)
	if !res.Changed || res.Commit != head || res.Old != "1.0.0" || res.New != "1.1.0" || res.Attempts != 1 {
		t.Errorf("Promote = %+v, want a commit at the new head %s, 1.0.0 → 1.1.0 in 1 attempt", res, head)
	}
	want := strings.Replace(kustomization, "newTag: 1.0.0 # set by CI", "newTag: 1.1.0 # set by CI", 1)
	if got := repo.MustFile(t, "apps/web/kustomization.yaml"); got != want {
		t.Errorf("the file after the promotion:\n%s\nwant:\n%s", got, want)
	}
	parents, err := repo.Parents(head)
	if err != nil || len(parents) != 1 || parents[0] != before {
		t.Errorf("the promotion's parents = %v (%v), want [%s]", parents, err, before)
	}
	logs, _ := repo.Log()
	if logs[0] != "Promote ghcr.io/acme/web to 1.1.0" {
		t.Errorf("commit subject = %q, want the default message", logs[0])
	}
	if strings.Contains(log.String(), srv.Token) {
		t.Errorf("the log shows the token:\n%s", log.String())
	}

	// Promoting the same tag again changes nothing.
	log.Reset()
	res, err = gitops.Promote(t.Context(), baseConfig(t, srv, repo), &log)
	if err != nil {
		t.Fatalf("second Promote: %v", err)
	}
	if res.Changed || res.Commit != head || srv.Pushes("acme/config") != 1 {
		t.Errorf("second Promote = %+v with %d pushes, want no change at %s and 1 push in all", res, srv.Pushes("acme/config"), head)
	}
	if !strings.Contains(log.String(), "nothing to commit") {
		t.Errorf("second Promote's log lacks \"nothing to commit\":\n%s", log.String())
	}
}

// TestPromoteRace makes another pipeline push just before the promotion's
// push is served, at both stages of a push, and checks what lands.
func TestPromoteRace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		stage gitopstest.PushStage
		// other is what the other pipeline commits.
		other        map[string]string
		wantChanged  bool
		wantFile     string
		wantAttempts int
	}{
		{
			name:         "another file changed before the advertisement",
			stage:        gitopstest.StageAdvertise,
			other:        map[string]string{"apps/api/values.yaml": "image:\n  tag: \"2.0\"\n"},
			wantChanged:  true,
			wantFile:     strings.Replace(kustomization, "newTag: 1.0.0 # set by CI", "newTag: 1.1.0 # set by CI", 1),
			wantAttempts: 2,
		},
		{
			name:         "the other image changed while receiving",
			stage:        gitopstest.StageReceive,
			other:        map[string]string{"apps/web/kustomization.yaml": strings.Replace(kustomization, "- name: ghcr.io/acme/api\n  newTag: 1.0.0", "- name: ghcr.io/acme/api\n  newTag: 7.0.0", 1)},
			wantChanged:  true,
			wantFile:     strings.Replace(strings.Replace(kustomization, "- name: ghcr.io/acme/api\n  newTag: 1.0.0", "- name: ghcr.io/acme/api\n  newTag: 7.0.0", 1), "newTag: 1.0.0 # set by CI", "newTag: 1.1.0 # set by CI", 1),
			wantAttempts: 2,
		},
		{
			name:         "the same key set to another value: ours is applied on top",
			stage:        gitopstest.StageReceive,
			other:        map[string]string{"apps/web/kustomization.yaml": strings.Replace(kustomization, "newTag: 1.0.0 # set by CI", "newTag: 0.9.0 # set by CI", 1)},
			wantChanged:  true,
			wantFile:     strings.Replace(kustomization, "newTag: 1.0.0 # set by CI", "newTag: 1.1.0 # set by CI", 1),
			wantAttempts: 2,
		},
		{
			name:         "the same value pushed first: nothing left to commit",
			stage:        gitopstest.StageAdvertise,
			other:        map[string]string{"apps/web/kustomization.yaml": strings.Replace(kustomization, "newTag: 1.0.0 # set by CI", "newTag: 1.1.0 # set by CI", 1)},
			wantChanged:  false,
			wantFile:     strings.Replace(kustomization, "newTag: 1.0.0 # set by CI", "newTag: 1.1.0 # set by CI", 1),
			wantAttempts: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, repo := newConfigRepo(t)
			var once sync.Once
			srv.OnPush(func(_ string, stage gitopstest.PushStage) {
				if stage == tt.stage {
					once.Do(func() { repo.MustCommit(t, tt.other, "the other pipeline") })
				}
			})
			var log bytes.Buffer
			res, err := gitops.Promote(t.Context(), baseConfig(t, srv, repo), &log)
			if err != nil {
				t.Fatalf("Promote: %v\n%s", err, log.String())
			}
			head := repo.MustHead(t)
			if res.Changed != tt.wantChanged || res.Commit != head || res.Attempts != tt.wantAttempts {
				t.Errorf("Promote = changed %v, commit %s, %d attempts; want changed %v at head %s in %d attempts\n%s",
					res.Changed, res.Commit, res.Attempts, tt.wantChanged, head, tt.wantAttempts, log.String())
			}
			if got := repo.MustFile(t, "apps/web/kustomization.yaml"); got != tt.wantFile {
				t.Errorf("the file after the race:\n%s\nwant:\n%s", got, tt.wantFile)
			}
			if parents, _ := repo.Parents(head); len(parents) != 1 {
				t.Errorf("head %s has parents %v, want a linear history", head, parents)
			}
			if !strings.Contains(log.String(), "push rejected") {
				t.Errorf("the log does not report the rejected push:\n%s", log.String())
			}
		})
	}
}

func TestPromoteGivesUpAfterRetries(t *testing.T) {
	t.Parallel()
	srv, repo := newConfigRepo(t)
	n := 0
	srv.OnPush(func(_ string, stage gitopstest.PushStage) {
		if stage == gitopstest.StageAdvertise {
			n++
			repo.MustCommit(t, map[string]string{"other.txt": fmt.Sprint(n)}, "busy")
		}
	})
	cfg := baseConfig(t, srv, repo)
	cfg.Retries = 2
	res, err := gitops.Promote(t.Context(), cfg, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "rejected 3 times") || !strings.Contains(err.Error(), "raise retries") {
		t.Fatalf("Promote on an always-moving branch: %v, want a rejected-3-times error", err)
	}
	if res.Attempts != 3 || res.Changed {
		t.Errorf("Promote = %+v, want 3 attempts and nothing changed", res)
	}
}

// TestPromoteConcurrent runs promotions of different images at once; every
// one must land on a linear history.
func TestPromoteConcurrent(t *testing.T) {
	t.Parallel()
	srv := gitopstest.NewTest(t, gitopstest.Options{})
	images := []string{"a", "b", "c", "d"}
	var content strings.Builder
	content.WriteString("images:\n")
	for _, img := range images {
		fmt.Fprintf(&content, "- name: ghcr.io/acme/%s\n  newTag: \"0\"\n", img)
	}
	repo := srv.MustRepo(t, "acme/config", map[string]string{"kustomization.yaml": content.String()})
	var wg sync.WaitGroup
	errs := make([]error, len(images))
	for i, img := range images {
		wg.Go(func() {
			cfg := gitops.Config{
				Repository: repo.URL(), Token: srv.Token, File: "kustomization.yaml",
				Change:  gitops.Change{Image: "ghcr.io/acme/" + img, Value: "1." + img},
				Retries: 10, WorkDir: t.TempDir(),
			}
			var log bytes.Buffer
			if _, err := gitops.Promote(t.Context(), cfg, &log); err != nil {
				errs[i] = fmt.Errorf("promoting %s: %w\n%s", img, err, log.String())
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got := repo.MustFile(t, "kustomization.yaml")
	for _, img := range images {
		if !strings.Contains(got, fmt.Sprintf("- name: ghcr.io/acme/%s\n  newTag: \"1.%s\"\n", img, img)) {
			t.Errorf("the promotion of %s is missing:\n%s", img, got)
		}
	}
	logs, _ := repo.Log()
	if len(logs) != 1+len(images) {
		t.Errorf("main has commits %q, want the initial one and %d promotions", logs, len(images))
	}
	if parents, _ := repo.Parents(repo.MustHead(t)); len(parents) != 1 {
		t.Errorf("the head has parents %v, want a linear history", parents)
	}
}

func TestPromoteErrors(t *testing.T) {
	t.Parallel()
	srv, repo := newConfigRepo(t)
	tests := []struct {
		name    string
		edit    func(c *gitops.Config)
		wantErr string
	}{
		{"wrong token", func(c *gitops.Config) { c.Token = "wrong-secret-token" }, "access denied"},
		{"no token", func(c *gitops.Config) { c.Token = "" }, "access denied"},
		{"missing branch", func(c *gitops.Config) { c.Branch = "nope" }, "branch nope does not exist"},
		{"missing file", func(c *gitops.Config) { c.File = "apps/nope.yaml" }, "file apps/nope.yaml does not exist on branch main"},
		{"file outside", func(c *gitops.Config) { c.File = "../etc/passwd" }, "must be a relative path inside the repository"},
		{"no repository", func(c *gitops.Config) { c.Repository = "" }, "repository is empty"},
		{"bad path", func(c *gitops.Config) { c.Change = gitops.Change{Path: "images[9].newTag", Value: "1"} }, "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := baseConfig(t, srv, repo)
			tt.edit(&cfg)
			var log bytes.Buffer
			_, err := gitops.Promote(t.Context(), cfg, &log)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Promote: %v, want an error containing %q", err, tt.wantErr)
			}
			for _, secret := range []string{srv.Token, "wrong-secret-token"} {
				if strings.Contains(err.Error(), secret) || strings.Contains(log.String(), secret) {
					t.Errorf("the error or log shows a token: %v\n%s", err, log.String())
				}
			}
		})
	}
}

// TestPromoteFileURL promotes in a repository reached without HTTP.
func TestPromoteFileURL(t *testing.T) {
	t.Parallel()
	srv, repo := newConfigRepo(t)
	cfg := baseConfig(t, srv, repo)
	cfg.Repository, cfg.Token = "file://"+repo.Dir, ""
	cfg.File, cfg.Change = "apps/api/values.yaml", gitops.Change{Path: "image.tag", Value: "1.10"}
	res, err := gitops.Promote(t.Context(), cfg, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("Promote over file://: %v", err)
	}
	if got := repo.MustFile(t, "apps/api/values.yaml"); got != "image:\n  tag: \"1.10\"\n" || !res.Changed {
		t.Errorf("values.yaml = %q (changed %v), want the tag 1.10 quoted", got, res.Changed)
	}
}
