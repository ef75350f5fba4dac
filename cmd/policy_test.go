package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/audit"
	"codeberg.org/anvil-ci/anvil/executor/resolve"
	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

var _ policy.Committer = (*resolve.Resolver)(nil)

// selfHostedPolicy denies a job without the self-hosted label, and warns
// about every job's actor.
const selfHostedPolicy = `
rules:
  - name: self-hosted
    expression: "'self-hosted' in job.runs_on"
    message: run on the organisation's runners
  - name: actor
    expression: "[task.actor]"
    message: noted
    mode: warn
tests:
  - name: self-hosted passes
    input: {job: {runs_on: [self-hosted]}, task: {actor: a}}
    expect: {warn: [actor]}
`

func writePolicy(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPolicyTest runs anvil policy test: the tests block, then every
// decision per job of the fixture's workflows, with its exit status.
func TestPolicyTest(t *testing.T) {
	t.Parallel()
	shipped := filepath.Join("..", "policies")
	tests := []struct {
		name       string
		policy     string // a file's content, or "shipped"
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{
			name: "shipped policies on a job without timeout or self-hosted", policy: "shipped",
			wantCode: ExitFailed,
			wantStdout: []string{
				"policy tests: 26 passed, 0 failed",
				".forgejo/workflows/hello.yml: greet (runs-on: ubuntu-latest)",
				"  allow  actions-allowed-owner",
				`  deny   policy rule "timeout-maximum" denies this job: set timeout-minutes to at most the maximum (60 as shipped) on every job (value: "360 minutes")`,
				`  warn   policy rule "labels-required" warns: runs-on must include every required label (self-hosted as shipped) (value: "self-hosted")`,
				"1 jobs checked against 9 rules: 1 denied",
			},
		},
		{
			name: "a deny exits 1", policy: selfHostedPolicy, args: []string{"-a", "octocat"},
			wantCode: ExitFailed,
			wantStdout: []string{"policy tests: 1 passed, 0 failed",
				`  deny   policy rule "self-hosted" denies this job: run on the organisation's runners`,
				`  warn   policy rule "actor" warns: noted (value: "octocat")`},
		},
		{
			name: "warnings alone exit 0", policy: strings.Replace(selfHostedPolicy, "'self-hosted' in job.runs_on", "true", 1),
			wantCode: ExitOK, wantStdout: []string{"  allow  self-hosted", "1 jobs checked against 2 rules: 0 denied"},
		},
		{
			name: "a failing test exits 1", policy: strings.Replace(selfHostedPolicy, "expect: {warn: [actor]}", "expect: {deny: [actor]}", 1),
			wantCode:   ExitFailed,
			wantStdout: []string{`FAIL test `, `"self-hosted passes"`, `rule "actor": got warn, want deny`, "policy tests: 0 passed, 1 failed"},
		},
		{
			name: "a bad rule is a usage error naming it", policy: "rules:\n  - {name: broken, expression: 'job.nope', message: m}\n",
			wantCode: ExitUsage, wantStderr: []string{`policy.yaml:2: rule "broken": expression: `, "undefined field 'nope'"},
		},
		{
			name: "the event decides which workflows run", policy: selfHostedPolicy, args: []string{"pull_request"},
			wantCode: ExitOK, wantStdout: []string{"0 jobs checked against 2 rules: 0 denied"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := copyFixture(t, "exec/hello")
			p := shipped
			if tt.policy != "shipped" {
				p = writePolicy(t, tt.policy)
			}
			proc, stdout, stderr := testProcess(nil)
			args := append([]string{"policy", "test", "-p", p, "-C", repo}, tt.args...)
			if code := Main(t.Context(), proc, args); code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// TestPolicyTestOnlyTests runs the tests alone where there is no workflow.
func TestPolicyTestOnlyTests(t *testing.T) {
	t.Parallel()
	proc, stdout, stderr := testProcess(nil)
	args := []string{"policy", "test", "-p", writePolicy(t, selfHostedPolicy), "-C", t.TempDir()}
	if code := Main(t.Context(), proc, args); code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout.String(), "policy tests: 1 passed") || !strings.Contains(stdout.String(), "0 jobs checked") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

// TestExecPolicyAndAudit runs anvil exec with --policy and --audit-log: a
// denied job runs no step and exits 1 with the rule in its log, a warned
// one runs; each writes an audit record without the secret.
func TestExecPolicyAndAudit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		policy   string
		wantCode int
		want     []string
		not      []string
		result   string
	}{
		{name: "deny", policy: selfHostedPolicy, wantCode: ExitFailed, result: "failure",
			want: []string{`policy rule "self-hosted" denies this job: run on the organisation's runners`, "the policy denied this job"},
			not:  []string{"hello world"}},
		{name: "warn", policy: strings.Replace(selfHostedPolicy, "'self-hosted' in job.runs_on", "true", 1), wantCode: ExitOK, result: "success",
			want: []string{`policy rule "actor" warns: noted (value: "***")`, "hello world"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := copyFixture(t, "exec/hello")
			auditLog := filepath.Join(t.TempDir(), "audit.log")
			proc, stdout, stderr := testProcess(map[string]string{"PATH": os.Getenv("PATH")})
			args := []string{"exec", "-C", repo, "--policy", writePolicy(t, tt.policy), "--audit-log", auditLog,
				"-s", "TOKEN=s3cr3t-value", "-s", "ACTOR=s3cr3t-actor", "-a", "s3cr3t-actor", "--var", "WHO=world", "--workdir", t.TempDir()}
			if code := Main(t.Context(), proc, args); code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(stdout.String(), w) {
					t.Errorf("stdout has %q, from a step that must not run:\n%s", w, stdout)
				}
			}
			data, err := os.ReadFile(auditLog)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), "s3cr3t") {
				t.Errorf("a secret is in the audit log:\n%s", data)
			}
			recs, partial, err := audit.ReadFile(auditLog)
			if err != nil || partial || len(recs) != 1 {
				t.Fatalf("audit log: %d records, partial %v, %v", len(recs), partial, err)
			}
			r := recs[0]
			if r.Source != "exec" || r.Job != "greet" || r.Result != tt.result || r.Actor != "***" || len(r.Decisions) != 2 ||
				r.Ref != "refs/heads/main" || r.SHA == "" || r.Workflow != ".forgejo/workflows/hello.yml" || len(r.Labels) != 1 {
				t.Errorf("audit record: %+v", r)
			}
		})
	}
}

// TestDaemonConfigGovernance checks the policy and audit keys: a rule
// that does not compile and a bad size stop the daemon at start.
func TestDaemonConfigGovernance(t *testing.T) {
	t.Parallel()
	bad := writePolicy(t, "rules:\n  - {name: broken, expression: 'job.nope', message: m}\n")
	good := writePolicy(t, selfHostedPolicy)
	tests := []struct {
		name string
		yaml string
		want string // "" for no error
	}{
		{name: "good", yaml: "policy:\n  file: " + good + "\naudit:\n  file: /tmp/a.log\n  max_size: 1g\n  syslog: local\n"},
		{name: "bad rule", yaml: "policy:\n  file: " + bad + "\n", want: `policy.file: ` + bad + `:2: rule "broken"`},
		{name: "missing policy", yaml: "policy:\n  file: /nonexistent/p.yaml\n", want: "policy.file: reading the policy"},
		{name: "bad size", yaml: "audit:\n  max_size: lots\n", want: `audit.max_size "lots"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, notes, err := loadDaemonConfig(path)
			if len(notes) > 0 {
				t.Errorf("notes: %v", notes)
			}
			if tt.want == "" {
				if err != nil || cfg.Policy.File != good || cfg.Audit.Syslog != "local" {
					t.Errorf("loadDaemonConfig = %+v, %v", cfg, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("loadDaemonConfig error = %v, want %q", err, tt.want)
			}
		})
	}
}
