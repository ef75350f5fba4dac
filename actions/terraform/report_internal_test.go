package terraform

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
)

func TestReports(t *testing.T) {
	t.Parallel()
	plan := &PlanResult{
		ExitCode: 2, Changes: true, Workspace: "staging", TerraformVersion: "1.5.7",
		Summary: &PlanSummary{
			Counts:        Counts{Add: 1, Change: 1, Destroy: 1},
			Changes:       []ResourceChange{{Address: `terraform_data.web["a|b"]`, Action: "replace"}, {Address: "terraform_data.db", Action: "update"}},
			OutputChanges: []string{"url"},
		},
		Text:   "Terraform will perform the following actions:\n\n  ```not a fence```\n",
		Bundle: "/runner/shared/plan.bundle", BundleSHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", Encrypted: true,
	}
	noChanges := &PlanResult{Workspace: "default", TerraformVersion: "1.5.7", Summary: &PlanSummary{}, Bundle: "/b", BundleSHA256: "00"}
	drift := &DriftResult{Drift: true, PlanResult: &PlanResult{ExitCode: 2, Changes: true, Workspace: "prod", TerraformVersion: "1.5.7",
		Summary: &PlanSummary{Counts: Counts{Change: 1}, Changes: []ResourceChange{{Address: "terraform_data.greeting", Action: "update"}},
			Drift: []ResourceChange{{Address: "terraform_data.greeting", Action: "update"}}},
		Text: "  ~ input = \"v1\" -> \"by-hand\"\n"}}
	apply := &ApplyResult{Meta: BundleMeta{Workspace: "staging", TerraformVersion: "1.5.7"}, Changes: &ChangeSummary{Add: 2},
		Outputs: []TerraformOutput{
			{Name: "greeting", Value: json.RawMessage(`"hello | world"`)},
			{Name: "settings", Value: json.RawMessage(`{"replicas": 2}`)},
			{Name: "token", Sensitive: true, Value: json.RawMessage(`"s3cr3t"`)},
			{Name: "unread", Sensitive: true},
		}}
	locked := &Failure{Reason: ReasonStateLocked, Err: errors.New("another operation holds the state lock"),
		Lock: &LockInfo{ID: "c46342e3", Path: "/srv/state/terraform.tfstate", Operation: "OperationTypeApply", Who: "ci@runner-3", Version: "1.5.7", Created: "2026-11-22 02:50:32 +0000 UTC"}}
	tests := []struct {
		name string
		got  string
	}{
		{"plan", planReport("Terraform plan", plan)},
		{"plan-no-changes", planReport("Terraform plan", noChanges)},
		{"drift", driftReport(drift)},
		{"apply", applyReport(apply)},
		{"failure-locked", failureReport("Terraform apply", locked)},
		{"failure-mismatch", failureReport("Terraform apply", failf(ReasonPlanMismatch, "the bundle has sha256 aa but the reviewed plan has bb"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			golden.Check(t, filepath.Join("testdata", "report", tt.name+".golden.md"), []byte(tt.got))
		})
	}
}
