package audit_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/audit"
	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/host"
	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

// secretsWorkflow puts a secret everywhere a workflow can: env values
// (by expression and written out), env names, a job name, runs-on
// labels, an image, an action's owner, with: inputs, a script and a
// step's env.
const secretsWorkflow = `
on: push
env:
  TOKEN: ${{ secrets.TOKEN }}
  LITERAL: s3cret-literal-env
  s3cret-env-name: x
jobs:
  denied:
    name: deploy s3cret-job-name
    runs-on: [x, "${{ secrets.LABEL }}"]
    container: ghcr.io/s3cret-image/app:1
    steps:
      - uses: s3cret-owner/action@v1
        with:
          token: s3cret-with
      - run: echo s3cret-run
  allowed:
    runs-on: x
    steps:
      - run: echo "$TOKEN s3cret-run"
        env:
          X: s3cret-step-env
`

// secretsPolicy reports everything it sees as offending values: it denies
// the job "denied" and warns about every job.
const secretsPolicy = `
rules:
  - name: show-everything
    expression: >
      job.id != 'denied' ? [] :
        job.images + job.runs_on + job.uses.map(u, u.uses) + job.steps.map(s, s.run)
        + job.env.map(k, k + '=' + job.env[k]) + [task.actor, task.ref, task.repository, job.name]
    message: everything
  - name: env-values
    expression: job.env.map(k, k + '=' + job.env[k]) + job.steps.map(s, s.name)
    message: env
    mode: warn
`

// TestNoSecretInTheAuditLog runs a workflow full of secrets through the
// engine with a policy that reports every value it sees, and checks that
// no secret reaches the audit log, while the records are all there.
func TestNoSecretInTheAuditLog(t *testing.T) {
	t.Parallel()
	secrets := map[string]string{
		"TOKEN": "tok-s3cret-value", "LABEL": "s3cret-label", "LITERAL": "s3cret-literal-env", "NAME": "s3cret-env-name",
		"JOB": "s3cret-job-name", "IMAGE": "s3cret-image", "OWNER": "s3cret-owner", "WITH": "s3cret-with",
		"RUN": "s3cret-run", "STEPENV": "s3cret-step-env", "ACTOR": "s3cret-actor", "REF": "s3cret-ref", "REPO": "s3cret-repo",
	}
	gh := map[string]any{"repository": "acme/s3cret-repo", "ref": "refs/heads/s3cret-ref", "actor": "s3cret-actor",
		"event_name": "push", "sha": "0123456789abcdef0123456789abcdef01234567", "workflow": "ci.yml",
		"event": map[string]any{"head_commit": map[string]any{"message": "tok-s3cret-value"}}}
	wf, err := pipeline.ParseWorkflow("ci.yml", []byte(secretsWorkflow))
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse("p.yaml", []byte(secretsPolicy))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := audit.Open(audit.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	masker := executor.NewMasker()
	for _, v := range secrets {
		masker.Add(v)
	}
	task := policy.TaskFromGithub(gh, "ci.yml")
	j := audit.NewJournal(l, audit.JournalConfig{Base: audit.Base("exec", task), Mask: masker.Mask,
		OnError: func(err error) { t.Errorf("audit: %v", err) }})
	gate := &policy.Gate{Policy: p, Task: task, Record: j.Record}
	backends := func([]string) (executor.Backend, executor.JobSpecHints, error) {
		return host.New(host.Config{}), executor.JobSpecHints{}, nil
	}
	eng := executor.New(executor.Config{Loader: pipeline.Loader{}, Backends: backends, Sink: j, WorkDir: t.TempDir(), Github: gh, Secrets: secrets,
		BaseEnv: executor.HostEnv(os.Environ()), Admit: gate.Admit})
	res, err := eng.Run(context.Background(), &plan.Plan{Event: "push", Workflows: []*plan.Workflow{wf}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range secrets {
		if strings.Contains(string(data), v) {
			t.Errorf("secret %s (%q) is in the audit log:\n%s", name, v, data)
		}
	}
	recs, partial, err := audit.ReadFile(path)
	if err != nil || partial || len(recs) != 2 {
		t.Fatalf("ReadFile = %d records, partial %v, %v; want 2", len(recs), partial, err)
	}
	results := map[string]string{}
	for _, r := range recs {
		results[r.Job] = r.Result
		if len(r.Decisions) != 2 || r.Actor != "***" || r.Repository != "acme/***" {
			t.Errorf("record of %s: decisions %v, actor %q, repository %q", r.Job, r.Decisions, r.Actor, r.Repository)
		}
		if r.Job == "denied" && (!slices.Contains(r.Labels, "***") || r.Decisions[0].Outcome != policy.OutcomeDeny ||
			!slices.Contains(r.Decisions[0].Values, "ghcr.io/***/app:1")) {
			t.Errorf("record of the denied job: %+v", r)
		}
	}
	if results["denied"] != "failure" || results["allowed"] != "success" || res.Result != executor.ResultFailure {
		t.Errorf("results %v (run %s), want denied failed and allowed succeeded", results, res.Result)
	}
}
