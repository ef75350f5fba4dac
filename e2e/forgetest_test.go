package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// testForge is a Forge on forge/forgetest: one repository, served over
// git HTTP by the test forge, whose pushes, dispatches and pull requests
// create runs as Gitea 1.25.4 does.
type testForge struct {
	srv  *forgetest.Server
	repo *forgetest.Repo

	mu      sync.Mutex
	secrets map[string]string
	vars    map[string]string
	prs     int
}

// testRepo and testUser are the repository and the user who pushes, as
// on Gitea (forge/giteatest's admin), so that paths and names in logs are
// the same.
const (
	testRepo = "anvil/e2e"
	testUser = "anvil"
)

func newTestForge(t *testing.T) *testForge {
	t.Helper()
	srv := forgetest.New(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the test forge's runs:\n%s", describeRuns(srv.Runs()))
		}
	})
	return &testForge{srv: srv, repo: srv.NewRepo(testRepo, privateRepo), secrets: map[string]string{}, vars: map[string]string{}}
}

func (f *testForge) URL() string { return f.srv.URL() }

func (f *testForge) RegistrationToken(context.Context) (string, error) {
	b := make([]byte, 20)
	_, _ = rand.Read(b) // never fails
	tok := hex.EncodeToString(b)
	f.srv.AddRegistrationToken(tok)
	return tok, nil
}

func (f *testForge) SetSecret(_ context.Context, name, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.secrets[name] = value
	return nil
}

func (f *testForge) SetVariable(_ context.Context, name, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.vars[name] = value
	return nil
}

// spec is a RunSpec of the repository at sha, with its secrets, vars and
// workflows.
func (f *testForge) spec(event, ref, sha string) (forgetest.RunSpec, error) {
	wfs, err := f.repo.Workflows(sha)
	if err != nil {
		return forgetest.RunSpec{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return forgetest.RunSpec{
		Workflows: wfs, EventName: event, Ref: ref, Sha: sha, Repository: f.repo.Name, Actor: testUser,
		Secrets: maps.Clone(f.secrets), Vars: maps.Clone(f.vars),
	}, nil
}

func (f *testForge) Push(_ context.Context, branch string, files map[string]string) (string, error) {
	sha, before, err := f.repo.Commit(branch, files, "e2e: "+branch)
	if err != nil {
		return "", err
	}
	spec, err := f.spec("push", "refs/heads/"+branch, sha)
	if err != nil {
		return "", err
	}
	spec.Before = before
	if spec.ChangedFiles, err = f.repo.Changed(before, sha); err != nil {
		return "", err
	}
	f.srv.AddRun(spec)
	return sha, nil
}

func (f *testForge) Dispatch(_ context.Context, workflow, ref string, inputs map[string]string) error {
	sha := f.repo.Head(strings.TrimPrefix(ref, "refs/heads/"))
	spec, err := f.spec("workflow_dispatch", ref, sha)
	if err != nil {
		return err
	}
	if _, ok := spec.Workflows[workflow]; !ok {
		return fmt.Errorf("dispatching %s on %s: the repository has no such workflow", workflow, ref)
	}
	spec.Workflow, spec.Inputs = workflow, inputs
	f.srv.AddRun(spec)
	return nil
}

// OpenPR opens pull request number n (the repository's n-th) of head into
// base: Gitea points refs/pull/n/head at head and runs the head commit's
// pull_request workflows.
func (f *testForge) OpenPR(_ context.Context, head, base string) (int64, error) {
	f.mu.Lock()
	f.prs++
	n := f.prs
	f.mu.Unlock()
	sha := f.repo.Head(head)
	ref := fmt.Sprintf("refs/pull/%d/head", n)
	if err := f.repo.SetRef(ref, sha); err != nil {
		return 0, err
	}
	spec, err := f.spec("pull_request", ref, sha)
	if err != nil {
		return 0, err
	}
	spec.PullRequest = forgetest.PullRequest{Number: n, Head: head, Base: base, Action: "opened", Title: "e2e: " + head}
	if spec.ChangedFiles, err = f.repo.Changed(f.repo.Head(base), sha); err != nil {
		return 0, err
	}
	f.srv.AddRun(spec)
	return int64(n), nil
}

// WaitRun waits for the newest run of workflow started by event.
func (f *testForge) WaitRun(ctx context.Context, workflow, event string) (Run, error) {
	var id int64
	for _, r := range f.srv.Runs() {
		if r.Workflow == workflow && r.EventName == event {
			id = r.ID
		}
	}
	if id == 0 {
		return Run{}, fmt.Errorf("waiting for the %s run of %s: the forge has no such run", event, workflow)
	}
	rec, err := f.srv.WaitRun(ctx, id)
	if err != nil {
		return Run{}, fmt.Errorf("waiting for the %s run of %s: %w; %s", event, workflow, err, describeRun(rec))
	}
	return Run{ID: id, Workflow: workflow, Event: event, Conclusion: string(rec.Status)}, nil
}

// describeRun says what the run's jobs are doing, for a timeout.
func describeRun(r forgetest.RunRecord) string {
	var b strings.Builder
	fmt.Fprintf(&b, "run %d is %s; jobs:", r.ID, r.Status)
	for _, j := range r.Jobs {
		fmt.Fprintf(&b, " %q task %d %s (runner %q, reported %s, %d updates, %d log rows, log closed %t);",
			j.Name, j.ID, j.Status, j.RunnerUUID, j.ReportedResult, j.Updates, j.LogLength, j.LogClosed)
	}
	return b.String()
}

// describeRuns describes every run, one a line.
func describeRuns(runs []forgetest.RunRecord) string {
	var b strings.Builder
	for _, r := range runs {
		fmt.Fprintf(&b, "%s (%s): %s\n", r.Workflow, r.EventName, describeRun(r))
	}
	return b.String()
}

// Jobs lists the run's jobs. A job never handed out has no task id: it
// gets minus its place in the run, which Log knows has no log.
func (f *testForge) Jobs(_ context.Context, run Run) ([]Job, error) {
	rec := f.srv.Run(run.ID)
	out := make([]Job, len(rec.Jobs))
	for i, j := range rec.Jobs {
		id := j.ID
		if id == 0 {
			id = -int64(i + 1)
		}
		out[i] = Job{ID: id, Name: j.Name, Status: apiStatus(j.Status)}
		if j.Status.Done() {
			out[i].Conclusion = string(j.Status)
		}
	}
	return out, nil
}

// apiStatus is a job's status as Gitea's REST API names it.
func apiStatus(s forgetest.Status) string {
	switch s {
	case forgetest.StatusBlocked:
		return "waiting"
	case forgetest.StatusWaiting:
		return "queued"
	case forgetest.StatusRunning:
		return "in_progress"
	}
	return "completed"
}

// Log returns the job's log rows, one per line.
func (f *testForge) Log(_ context.Context, job Job) (string, error) {
	if job.ID <= 0 {
		return "", fmt.Errorf("job %q was never handed out to a runner: it has no log", job.Name)
	}
	var b strings.Builder
	for _, r := range f.srv.Task(job.ID).Rows {
		b.WriteString(r.Content + "\n")
	}
	return b.String(), nil
}
