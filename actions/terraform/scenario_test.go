package terraform_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/internal/actiontest"
	"codeberg.org/anvil-ci/anvil/actions/terraform"
	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

const (
	// passphrase encrypts the bundles of the scenarios.
	passphrase = "correct horse battery staple"
	// sensitiveOutput is the value of the configuration's sensitive
	// output; it must never show in a log.
	sensitiveOutput = "s3cr3t-output-value"
)

// scenario is one workflow of testdata/actions/terraform/workflows run
// through anvil exec with real Terraform and a local backend in a
// directory the jobs share (vars.SHARED).
type scenario struct {
	name string
	// interruptAt, when set, interrupts anvil once a log line of job
	// "apply" contains it.
	interruptAt string
	wantExit    int
	check       func(t *testing.T, r *actiontest.Result, shared string)
}

func TestScenarios(t *testing.T) {
	t.Parallel()
	tf := testkit.Terraform(t)
	for _, sc := range []scenario{
		{name: "plan-apply", wantExit: 0, check: checkPlanApply},
		{name: "tampered", wantExit: 1, check: checkTampered},
		{name: "stale", wantExit: 1, check: checkStale},
		{name: "lock", wantExit: 1, check: checkLock},
		{name: "drift", wantExit: 1, check: checkDrift},
		{name: "cancel", wantExit: 1, interruptAt: "Provisioning with 'local-exec'", check: checkCancel},
	} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			workflow, err := os.ReadFile(filepath.Join(actiontest.ModuleRoot(t), "testdata", "actions", "terraform", "workflows", sc.name+".yml"))
			if err != nil {
				t.Fatal(err)
			}
			repo := actiontest.NewRepo(t, actiontest.Repo{
				Workflows: map[string]string{sc.name + ".yml": string(workflow)},
				Actions:   []string{"terraform-plan", "terraform-apply", "terraform-drift"},
				Dirs:      map[string]string{"infra": "testdata/actions/terraform/infra"},
			})
			shared := t.TempDir()
			cfg := actiontest.Config{
				Repo: repo,
				Args: []string{"--var", "TERRAFORM=" + tf, "--var", "SHARED=" + shared,
					"-s", "PASSPHRASE=" + passphrase, "--grace", "60s"},
			}
			var p *actiontest.Process
			var once sync.Once
			started := make(chan struct{})
			if sc.interruptAt != "" {
				cfg.OnEvent = func(e executor.Event) {
					if e.Kind == executor.EventLog && e.Job == "apply" && strings.Contains(e.Line, sc.interruptAt) {
						once.Do(func() {
							<-started
							if err := p.Interrupt(); err != nil {
								t.Errorf("interrupting anvil: %v", err)
							}
						})
					}
				}
			}
			p = actiontest.Start(t, cfg)
			close(started)
			r := p.Wait()
			if r.ExitCode != sc.wantExit {
				t.Fatalf("anvil exec exited %d, want %d\n%s", r.ExitCode, sc.wantExit, r)
			}
			for _, secret := range []string{passphrase, sensitiveOutput} {
				if strings.Contains(r.Log(""), secret) || strings.Contains(r.Stderr, secret) {
					t.Errorf("a secret (%q) shows in the log:\n%s", secret, r)
				}
			}
			sc.check(t, r, shared)
		})
	}
}

func checkPlanApply(t *testing.T, r *actiontest.Result, shared string) {
	plan := job(t, r, "plan", executor.ResultSuccess)
	bundlePath := filepath.Join(shared, "plan.bundle")
	data, err := os.ReadFile(bundlePath)
	if err != nil {
		t.Fatal(err)
	}
	wantOutputs(t, "plan", plan.Outputs, map[string]string{
		"changes": "true", "add": "2", "change": "0", "destroy": "0", "exitcode": "2",
		"workspace": "staging", "bundle": bundlePath, "sha256": terraform.SHA256(data),
	})
	if !terraform.Encrypted(data) {
		t.Errorf("the bundle is not age-encrypted though a passphrase was given")
	}
	b, err := terraform.DecodeBundle(data, passphrase)
	if err != nil {
		t.Fatalf("DecodeBundle(plan.bundle) = %v", err)
	}
	if b.Meta.Workspace != "staging" || b.Meta.TerraformVersion != testkit.TerraformVersion || b.Meta.Counts.Add != 2 {
		t.Errorf("bundle metadata = %+v, want workspace staging, Terraform %s, 2 to add", b.Meta, testkit.TerraformVersion)
	}
	if s := r.Summaries("plan"); !strings.Contains(s, "Terraform plan: 2 to add, 0 to change, 0 to destroy") || !strings.Contains(s, "`terraform_data.greeting` | create") {
		t.Errorf("plan summary lacks the counts or the resource list:\n%s", s)
	}

	apply := job(t, r, "apply", executor.ResultSuccess)
	wantOutputs(t, "apply", apply.Outputs, map[string]string{
		"failure-reason": "", "greeting": "hello from ci.tfvars", "settings": `{"regions":["eu","us"],"replicas":2}`,
	})
	log := r.Log("apply")
	for _, want := range []string{"greeting=hello from ci.tfvars", "token=***", "regions=eu+us", "from outputs-json=hello from ci.tfvars", "Apply complete! Resources: 2 added"} {
		if !strings.Contains(log, want) {
			t.Errorf("apply log lacks %q:\n%s", want, log)
		}
	}
	state := readFile(t, filepath.Join(shared, "state", "workspaces", "staging", "terraform.tfstate"))
	if !strings.Contains(state, "hello from ci.tfvars") {
		t.Errorf("the staging state does not hold the applied value:\n%s", state)
	}
	if s := r.Summaries("apply"); !strings.Contains(s, "Terraform apply: applied") || !strings.Contains(s, "| `token` | (sensitive) |") {
		t.Errorf("apply summary lacks the verdict or the masked output:\n%s", s)
	}
}

func checkTampered(t *testing.T, r *actiontest.Result, shared string) {
	apply := job(t, r, "apply", executor.ResultFailure)
	wantOutputs(t, "apply", apply.Outputs, map[string]string{"failure-reason": "plan-mismatch"})
	if log := r.Log("apply"); !strings.Contains(log, "it is not the reviewed plan, so nothing was applied") {
		t.Errorf("apply log does not explain the mismatch:\n%s", log)
	}
	if _, err := os.Stat(filepath.Join(shared, "state", "workspaces", "staging", "terraform.tfstate")); err == nil {
		t.Errorf("a state was written: the tampered bundle was applied")
	}
}

func checkStale(t *testing.T, r *actiontest.Result, shared string) {
	job(t, r, "b-goes-first", executor.ResultSuccess)
	apply := job(t, r, "apply-a", executor.ResultFailure)
	wantOutputs(t, "apply-a", apply.Outputs, map[string]string{"failure-reason": "plan-stale"})
	if s := r.Summaries("apply-a"); !strings.Contains(s, "Terraform apply failed: plan-stale") {
		t.Errorf("apply-a summary lacks the reason:\n%s", s)
	}
	if state := readFile(t, filepath.Join(shared, "state", "default.tfstate")); !strings.Contains(state, "from plan B") || strings.Contains(state, "from plan A") {
		t.Errorf("the state is not plan B's:\n%s", state)
	}
}

func checkLock(t *testing.T, r *actiontest.Result, shared string) {
	job(t, r, "hold", executor.ResultSuccess)
	apply := job(t, r, "apply-locked", executor.ResultFailure)
	var holder, reported terraform.LockInfo
	if err := json.Unmarshal([]byte(apply.Outputs["holder"]), &holder); err != nil || holder.ID == "" {
		t.Fatalf("the hold job's lock info %q is unreadable: %v", apply.Outputs["holder"], err)
	}
	wantOutputs(t, "apply-locked", apply.Outputs, map[string]string{"failure-reason": "state-locked", "lock-id": holder.ID})
	if err := json.Unmarshal([]byte(apply.Outputs["lock-info"]), &reported); err != nil {
		t.Fatalf("lock-info %q is not JSON: %v", apply.Outputs["lock-info"], err)
	}
	if reported.ID != holder.ID || reported.Operation != "OperationTypeApply" || reported.Path == "" || reported.Who == "" {
		t.Errorf("lock-info = %+v, want the holder's %+v", reported, holder)
	}
	if s := r.Summaries("apply-locked"); !strings.Contains(s, "terraform force-unlock "+holder.ID) {
		t.Errorf("apply-locked summary lacks the lock holder:\n%s", s)
	}
	plan := job(t, r, "plan-locked", executor.ResultFailure)
	wantOutputs(t, "plan-locked", plan.Outputs, map[string]string{"failure-reason": "state-locked", "lock-id": holder.ID})
	if _, err := os.Stat(filepath.Join(shared, "state", ".default.tfstate.lock.info")); err == nil {
		t.Errorf("the lock is still held after the hold job ended")
	}
}

func checkDrift(t *testing.T, r *actiontest.Result, shared string) {
	clean := job(t, r, "clean", executor.ResultSuccess)
	wantOutputs(t, "clean", clean.Outputs, map[string]string{"drift": "false"})
	drifted := job(t, r, "drifted", executor.ResultSuccess)
	wantOutputs(t, "drifted", drifted.Outputs, map[string]string{"drift": "true", "change": "1"})
	if report := drifted.Outputs["report"]; !strings.Contains(report, "Terraform drift check: drift found (0 to add, 1 to change, 0 to destroy)") || !strings.Contains(report, "`terraform_data.greeting` | update") {
		t.Errorf("drift report lacks the verdict or the changed resource:\n%s", report)
	}
	failed := job(t, r, "fail-on-drift", executor.ResultFailure)
	wantOutputs(t, "fail-on-drift", failed.Outputs, map[string]string{"drift": "true", "failure-reason": "drift"})
}

func checkCancel(t *testing.T, r *actiontest.Result, shared string) {
	apply := job(t, r, "apply", executor.ResultCancelled)
	wantOutputs(t, "apply", apply.Outputs, map[string]string{"failure-reason": "cancelled"})
	log := r.Log("apply")
	for _, want := range []string{"Interrupt received", "cancelled step ran"} {
		if !strings.Contains(log, want) {
			t.Errorf("apply log lacks %q:\n%s", want, log)
		}
	}
	if _, err := os.Stat(filepath.Join(shared, "state", ".default.tfstate.lock.info")); err == nil {
		t.Errorf("Terraform did not release the state lock when interrupted:\n%s", r)
	}
	if state := readFile(t, filepath.Join(shared, "state", "default.tfstate")); !strings.Contains(state, "terraform_data") {
		t.Errorf("the interrupted apply did not write its state:\n%s", state)
	}
	if d := jobDuration(r, "apply"); d > 60*time.Second {
		t.Errorf("the cancelled apply job took %s; the 120s provisioner was not interrupted", d)
	}
}

// job returns the job_end event of id, failing unless its result is want.
func job(t *testing.T, r *actiontest.Result, id string, want executor.Result) executor.Event {
	t.Helper()
	e, ok := r.Job(id)
	if !ok {
		t.Fatalf("job %s did not run\n%s", id, r)
	}
	if e.Result != want {
		t.Fatalf("job %s ended %s, want %s\n%s", id, e.Result, want, r)
	}
	return e
}

// wantOutputs checks some outputs of a job.
func wantOutputs(t *testing.T, id string, got, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if got[k] != w {
			t.Errorf("job %s output %s = %q, want %q (outputs %v)", id, k, got[k], w, got)
		}
	}
}

func jobDuration(r *actiontest.Result, id string) time.Duration {
	e, _ := r.Job(id)
	return e.Duration
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
