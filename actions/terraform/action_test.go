package terraform_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/internal/actiontest"
	"codeberg.org/anvil-ci/anvil/actions/terraform"
	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// tfStep is one action run in a test: the configuration copied to its own
// directory, a local backend in state, and the files a job step gets.
type tfStep struct {
	t      *testing.T
	tf     string
	dir    string // the configuration
	state  string // the backend's directory
	output string
	log    testkit.LockedBuffer
}

// newStep copies testdata/actions/terraform/infra to a new directory with
// its state beside it.
func newStep(t *testing.T, tf string) *tfStep {
	t.Helper()
	root := t.TempDir()
	s := &tfStep{t: t, tf: tf, dir: filepath.Join(root, "infra"), state: filepath.Join(root, "state")}
	src := filepath.Join(actiontest.ModuleRoot(t), "testdata", "actions", "terraform", "infra")
	if err := os.CopyFS(s.dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return s
}

// action returns an Action writing outputs to a new $GITHUB_OUTPUT.
func (s *tfStep) action() *terraform.Action {
	s.output = filepath.Join(s.t.TempDir(), "output")
	return &terraform.Action{
		Runtime:          &terraform.Runtime{Log: &s.log, OutputFile: s.output, SummaryFile: filepath.Join(s.t.TempDir(), "summary"), TempDir: s.t.TempDir()},
		Tool:             terraform.NewTool(terraform.ToolConfig{Binary: s.tf, Env: testkit.TerraformEnv(), Stderr: &s.log, Grace: 30 * time.Second}),
		ScryptWorkFactor: testWorkFactor,
	}
}

func (s *tfStep) backend() []string {
	return []string{"path=" + filepath.Join(s.state, "terraform.tfstate")}
}

// plan runs terraform-plan with variables; the bundle goes to bundle.
func (s *tfStep) plan(ctx context.Context, bundle, passphrase string, destroy bool, variables ...string) (*terraform.PlanResult, error) {
	return s.action().Plan(ctx, terraform.PlanOptions{WorkingDirectory: s.dir, BackendConfig: s.backend(), Variables: variables,
		Destroy: destroy, LockTimeout: time.Second, Passphrase: passphrase, BundlePath: bundle})
}

// apply runs terraform-apply.
func (s *tfStep) apply(ctx context.Context, bundle, sha, passphrase string) (*terraform.ApplyResult, error) {
	return s.action().Apply(ctx, terraform.ApplyOptions{WorkingDirectory: s.dir, BackendConfig: s.backend(), Bundle: bundle,
		ExpectedSHA256: sha, Passphrase: passphrase, LockTimeout: time.Second})
}

// outputs reads the last action's $GITHUB_OUTPUT with the engine's parser.
func (s *tfStep) outputs() map[string]string {
	f, err := os.Open(s.output)
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	kvs, err := executor.ParseEnvFile(f)
	if err != nil {
		s.t.Fatal(err)
	}
	m := map[string]string{}
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestPlanCounts(t *testing.T) {
	t.Parallel()
	tf := testkit.Terraform(t)
	s := newStep(t, tf)
	ctx := t.Context()
	bundle := filepath.Join(t.TempDir(), "plan.bundle")
	first, err := s.plan(ctx, bundle, "", false)
	if err != nil {
		t.Fatalf("Plan() = %v\n%s", err, s.log.String())
	}
	if _, err := s.apply(ctx, bundle, first.BundleSHA256, ""); err != nil {
		t.Fatalf("Apply() = %v\n%s", err, s.log.String())
	}
	tests := []struct {
		name      string
		destroy   bool
		variables []string
		want      map[string]string
	}{
		{name: "no changes", want: map[string]string{"changes": "false", "exitcode": "0", "add": "0", "change": "0", "destroy": "0"}},
		{name: "update", variables: []string{"message=changed"}, want: map[string]string{"changes": "true", "exitcode": "2", "add": "0", "change": "1", "destroy": "0"}},
		{name: "replace", variables: []string{"hold_seconds=1"}, want: map[string]string{"changes": "true", "add": "1", "change": "0", "destroy": "1"}},
		{name: "destroy", destroy: true, want: map[string]string{"changes": "true", "add": "0", "change": "0", "destroy": "2"}},
	}
	for _, tt := range tests {
		// Sequential: the plans share one state and its lock.
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.plan(ctx, bundle, "", tt.destroy, tt.variables...); err != nil {
				t.Fatalf("Plan() = %v\n%s", err, s.log.String())
			}
			got := s.outputs()
			for k, w := range tt.want {
				if got[k] != w {
					t.Errorf("output %s = %q, want %q (outputs %v)", k, got[k], w, got)
				}
			}
		})
	}
}

func TestApplyRefuses(t *testing.T) {
	t.Parallel()
	tf := testkit.Terraform(t)
	tests := []struct {
		name string
		// change returns the bundle path, hash and passphrase to apply.
		change     func(bundle, sha string) (string, string, string)
		wantReason terraform.Reason
		wantLog    string
	}{
		{
			name:       "wrong passphrase",
			change:     func(b, sha string) (string, string, string) { return b, sha, "wrong" },
			wantReason: terraform.ReasonBundleInvalid, wantLog: "check that encryption-passphrase is the one the plan used",
		},
		{
			name:       "no passphrase",
			change:     func(b, sha string) (string, string, string) { return b, sha, "" },
			wantReason: terraform.ReasonBundleInvalid, wantLog: "no encryption-passphrase was given",
		},
		{
			name:       "another hash",
			change:     func(b, sha string) (string, string, string) { return b, strings.Repeat("0", 64), "pw" },
			wantReason: terraform.ReasonPlanMismatch, wantLog: "it is not the reviewed plan",
		},
		{
			name:       "missing bundle",
			change:     func(b, sha string) (string, string, string) { return b + ".gone", sha, "pw" },
			wantReason: terraform.ReasonBundleInvalid, wantLog: "opening the bundle",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStep(t, tf)
			bundle := filepath.Join(t.TempDir(), "plan.bundle")
			res, err := s.plan(t.Context(), bundle, "pw", false)
			if err != nil {
				t.Fatalf("Plan() = %v\n%s", err, s.log.String())
			}
			b, sha, pass := tt.change(bundle, res.BundleSHA256)
			_, err = s.apply(t.Context(), b, sha, pass)
			if got := terraform.ReasonOf(err); got != tt.wantReason {
				t.Fatalf("Apply() = %v (reason %q), want reason %s\n%s", err, got, tt.wantReason, s.log.String())
			}
			if got := s.outputs()["failure-reason"]; got != string(tt.wantReason) {
				t.Errorf("failure-reason output = %q, want %s", got, tt.wantReason)
			}
			if !strings.Contains(s.log.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, s.log.String())
			}
			if strings.Contains(s.log.String(), "Apply complete") {
				t.Errorf("Terraform applied a refused bundle:\n%s", s.log.String())
			}
		})
	}
}

// TestApplyAcceptsHashForms applies with the hash in upper case and with a
// sha256: prefix, as people paste it.
func TestApplyAcceptsHashForms(t *testing.T) {
	t.Parallel()
	tf := testkit.Terraform(t)
	s := newStep(t, tf)
	bundle := filepath.Join(t.TempDir(), "plan.bundle")
	res, err := s.plan(t.Context(), bundle, "", false)
	if err != nil {
		t.Fatalf("Plan() = %v\n%s", err, s.log.String())
	}
	if _, err := s.apply(t.Context(), bundle, " sha256:"+strings.ToUpper(res.BundleSHA256)+"\n", ""); err != nil {
		t.Fatalf("Apply() = %v\n%s", err, s.log.String())
	}
	if got := s.outputs(); got["greeting"] != "hello" || got["token"] != sensitiveOutput || !strings.Contains(got["outputs-json"], `"settings":{"regions":["eu","us"],"replicas":2}`) {
		t.Errorf("outputs = %v, want greeting, the sensitive token and outputs-json", got)
	}
	if !strings.Contains(s.log.String(), "::add-mask::"+sensitiveOutput) {
		t.Errorf("the sensitive output was not masked:\n%s", s.log.String())
	}
}

// TestApplyTimeout interrupts an apply whose provisioner holds the state
// lock when the action's timeout runs out: the reason is timeout and
// Terraform released the lock.
func TestApplyTimeout(t *testing.T) {
	t.Parallel()
	tf := testkit.Terraform(t)
	s := newStep(t, tf)
	bundle := filepath.Join(t.TempDir(), "plan.bundle")
	res, err := s.plan(t.Context(), bundle, "", false, "hold_seconds=60")
	if err != nil {
		t.Fatalf("Plan() = %v\n%s", err, s.log.String())
	}
	ctx, cancel := context.WithTimeoutCause(t.Context(), 3*time.Second, fmt.Errorf("test timeout: %w", context.DeadlineExceeded))
	defer cancel()
	start := time.Now()
	_, err = s.apply(ctx, bundle, res.BundleSHA256, "")
	if got := terraform.ReasonOf(err); got != terraform.ReasonTimeout {
		t.Fatalf("Apply() = %v (reason %q), want timeout\n%s", err, got, s.log.String())
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Apply() took %s after its timeout", d)
	}
	if _, err := os.Stat(filepath.Join(s.state, ".terraform.tfstate.lock.info")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the state lock is still held after the timeout (%v)\n%s", err, s.log.String())
	}
	if !strings.Contains(s.log.String(), "Interrupt received") {
		t.Errorf("Terraform did not get the interrupt:\n%s", s.log.String())
	}
}

func TestPlanBadWorkingDirectory(t *testing.T) {
	t.Parallel()
	s := newStep(t, "terraform-is-not-run")
	_, err := s.action().Plan(t.Context(), terraform.PlanOptions{WorkingDirectory: filepath.Join(s.dir, "missing")})
	if terraform.ReasonOf(err) != terraform.ReasonInvalidInput {
		t.Errorf("Plan(missing directory) = %v, want invalid-input", err)
	}
}
