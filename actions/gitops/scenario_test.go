package gitops_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/gitops/gitopstest"
	"codeberg.org/anvil-ci/anvil/actions/internal/actiontest"
)

func TestMain(m *testing.M) { os.Exit(actiontest.Main(m)) }

// runScenario runs testdata/scenarios/NAME.yml through anvil exec with
// the gitops-promote action, against repo.
func runScenario(t *testing.T, name string, srv *gitopstest.Server, repo *gitopstest.Repo, args ...string) *actiontest.Result {
	t.Helper()
	workflow, err := os.ReadFile(filepath.Join("testdata", "scenarios", name+".yml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := actiontest.NewRepo(t, actiontest.Repo{
		Workflows: map[string]string{name + ".yml": string(workflow)},
		Actions:   []string{"gitops-promote"},
	})
	return actiontest.Run(t, actiontest.Config{
		Repo: dir,
		Args: append([]string{"--var", "CONFIG_REPO=" + repo.URL(), "--var", "GIT_TOKEN=" + srv.Token, "-s", "GIT_TOKEN=" + srv.Token}, args...),
	})
}

// TestScenarioPromote promotes through the composite action: a
// kustomization image, the same again, a Helm value. The token is passed
// as a plain variable, so only the action's ::add-mask:: hides it.
func TestScenarioPromote(t *testing.T) {
	t.Parallel()
	srv, repo := newConfigRepo(t)
	r := runScenario(t, "promote", srv, repo, "--var", "TAG=1.2.3")
	if r.ExitCode != 0 {
		t.Fatalf("anvil exec failed:\n%s", r)
	}
	head := repo.MustHead(t)
	web, _ := r.Step("promote", "web")
	log := r.Log("promote")
	for _, want := range []string{
		"web: commit=", "changed=true previous=1.0.0 attempts=1",
		"again: commit=", "changed=false",
		"api: commit=" + head + " changed=true value=1.10",
		"apps/web/kustomization.yaml: images[name=ghcr.io/acme/web].newTag 1.0.0 → 1.2.3",
		"nothing to commit",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	if web.Outputs != nil && web.Outputs["commit"] == "" {
		t.Errorf("step web has no commit output: %v", web.Outputs)
	}
	if strings.Contains(r.Stdout, srv.Token) {
		t.Errorf("the token shows in anvil's output:\n%s", r)
	}
	if got := repo.MustFile(t, "apps/web/kustomization.yaml"); !strings.Contains(got, "newTag: 1.2.3 # set by CI") {
		t.Errorf("kustomization.yaml:\n%s", got)
	}
	if got := repo.MustFile(t, "apps/api/values.yaml"); got != "image:\n  tag: \"1.10\"\n" {
		t.Errorf("values.yaml = %q", got)
	}
	logs, _ := repo.Log()
	if len(logs) != 3 || logs[0] != "api: release 1.10" || logs[1] != "Promote ghcr.io/acme/web to 1.2.3" {
		t.Errorf("commits = %q, want the api and web promotions on the initial commit", logs)
	}
	summary := r.Summaries("promote")
	for _, want := range []string{"GitOps promotion: `ghcr.io/acme/web`", "`1.0.0` → `1.2.3`", "(already set, nothing committed)"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the step summary lacks %q:\n%s", want, summary)
		}
	}
}

// TestScenarioConcurrent runs two jobs promoting into the same file at
// the same time. The git server holds the first push until the second
// arrives, so both race for the branch and one must fetch, re-apply and
// push again.
func TestScenarioConcurrent(t *testing.T) {
	t.Parallel()
	srv, repo := newConfigRepo(t)
	var mu sync.Mutex
	arrived := 0
	release := make(chan struct{})
	raced := false
	srv.OnPush(func(_ string, stage gitopstest.PushStage) {
		if stage != gitopstest.StageReceive {
			return
		}
		mu.Lock()
		arrived++
		n := arrived
		mu.Unlock()
		switch n {
		case 1:
			select {
			case <-release:
				mu.Lock()
				raced = true
				mu.Unlock()
			case <-time.After(20 * time.Second):
			}
		case 2:
			close(release)
		}
	})
	r := runScenario(t, "concurrent", srv, repo)
	if r.ExitCode != 0 {
		t.Fatalf("anvil exec failed:\n%s", r)
	}
	got := repo.MustFile(t, "apps/web/kustomization.yaml")
	if !strings.Contains(got, "- name: ghcr.io/acme/web\n  newTag: 2.0.0 # set by CI\n") || !strings.Contains(got, "- name: ghcr.io/acme/worker\n  newTag: 3.0.0\n") {
		t.Errorf("both promotions must land:\n%s", got)
	}
	if parents, _ := repo.Parents(repo.MustHead(t)); len(parents) != 1 {
		t.Errorf("the head has parents %v, want a linear history", parents)
	}
	web, _ := r.Job("web")
	worker, _ := r.Job("worker")
	attempts := web.Outputs["attempts"] + "+" + worker.Outputs["attempts"]
	mu.Lock()
	defer mu.Unlock()
	if raced && attempts != "1+2" && attempts != "2+1" {
		t.Errorf("attempts web+worker = %s, want one push retried after the race\n%s", attempts, r)
	}
	if !raced {
		t.Logf("the jobs did not run at the same time (one CPU?); attempts %s", attempts)
	}
}

// TestScenarioFailures checks failing promotions: exit status, errors in
// the log and summary, and the token hidden.
func TestScenarioFailures(t *testing.T) {
	t.Parallel()
	srv, repo := newConfigRepo(t)
	const wrong = "wrong-token-4f9d2a"
	r := runScenario(t, "failures", srv, repo, "--var", "WRONG_TOKEN="+wrong)
	if r.ExitCode != 0 {
		t.Fatalf("anvil exec failed (the steps continue on error):\n%s", r)
	}
	log := r.Log("promote")
	for _, want := range []string{
		"denied=failure missing=failure bad-input=failure",
		"access denied: check that token is set and may read and push to the repository",
		"file apps/nope/kustomization.yaml does not exist on branch main",
		`input retries is "many"; write a whole number`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(r.Stdout, wrong) || strings.Contains(r.Stdout, srv.Token) {
		t.Errorf("a token shows in anvil's output:\n%s", r)
	}
	if got := repo.MustFile(t, "apps/web/kustomization.yaml"); got != kustomization {
		t.Errorf("a failed promotion changed the file:\n%s", got)
	}
	if !strings.Contains(r.Summaries("promote"), "**Failed:**") {
		t.Errorf("the summary does not report the failure:\n%s", r.Summaries("promote"))
	}
}
