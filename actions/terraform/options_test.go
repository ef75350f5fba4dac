package terraform_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/actions/step"
	"codeberg.org/anvil-ci/anvil/actions/terraform"
)

// inputs returns Inputs reading m.
func inputs(m map[string]string) *step.Inputs {
	return step.MapInputs(m)
}

func TestParsePlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      map[string]string
		want    terraform.PlanOptions
		wantErr string
	}{
		{
			name: "defaults",
			in:   map[string]string{},
			want: terraform.PlanOptions{LockTimeout: terraform.DefaultLockTimeout},
		},
		{
			name: "every input",
			in: map[string]string{
				"working-directory": " infra ", "workspace": "staging",
				"var-files": "a.tfvars\n\n  b.tfvars  \n", "variables": "image=web:1.2\nzones=a,b\n",
				"backend-config": "path=/s/state\nbackend.hcl", "targets": "module.web, terraform_data.x",
				"destroy": "Yes", "lock-timeout": "90", "encryption-passphrase": " keep spaces ",
				"bundle-path": "/tmp/p.bundle",
			},
			want: terraform.PlanOptions{
				WorkingDirectory: "infra", Workspace: "staging",
				VarFiles: []string{"a.tfvars", "b.tfvars"}, Variables: []string{"image=web:1.2", "zones=a,b"},
				BackendConfig: []string{"path=/s/state", "backend.hcl"}, Targets: []string{"module.web", "terraform_data.x"},
				Destroy: true, LockTimeout: 90 * time.Second, Passphrase: " keep spaces ", BundlePath: "/tmp/p.bundle",
			},
		},
		{name: "bad boolean", in: map[string]string{"destroy": "maybe"}, wantErr: `input destroy is "maybe"; write true or false`},
		{name: "zero lock timeout", in: map[string]string{"lock-timeout": "0s"}, wantErr: `input lock-timeout is "0s"; write a positive duration`},
		{name: "bad duration", in: map[string]string{"lock-timeout": "5 minutes"}, wantErr: "input lock-timeout is \"5 minutes\""},
		{name: "variable without =", in: map[string]string{"variables": "ok=1\nsup3rs3cret"}, wantErr: "input variables: entry 2 is not NAME=VALUE"},
		{name: "destroy and refresh-only", in: map[string]string{"destroy": "true", "refresh-only": "true"}, wantErr: "both true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, got, err := terraform.ParsePlan(inputs(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParsePlan() error = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "sup3rs3cret") {
					t.Errorf("ParsePlan() error %q quotes an input value", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePlan() = %v", err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("ParsePlan() (-got +want):\n%s", diff)
			}
		})
	}
}

func TestParseApply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      map[string]string
		want    terraform.ApplyOptions
		wantErr []string
	}{
		{
			name: "complete",
			in:   map[string]string{"bundle": "/b", "expected-sha256": " abc ", "lock-timeout": "1s", "backend-config": "path=x"},
			want: terraform.ApplyOptions{Bundle: "/b", ExpectedSHA256: "abc", LockTimeout: time.Second, BackendConfig: []string{"path=x"}},
		},
		{
			name:    "bundle and hash are required",
			in:      map[string]string{},
			wantErr: []string{"input bundle is empty", "input expected-sha256 is empty"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, got, err := terraform.ParseApply(inputs(tt.in))
			for _, w := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("ParseApply() error = %v, want %q", err, w)
				}
			}
			if len(tt.wantErr) > 0 {
				return
			}
			if err != nil {
				t.Fatalf("ParseApply() = %v", err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("ParseApply() (-got +want):\n%s", diff)
			}
		})
	}
}

func TestParseDrift(t *testing.T) {
	t.Parallel()
	_, got, err := terraform.ParseDrift(inputs(map[string]string{"fail-on-drift": "true", "refresh-only": "true", "workspace": "prod"}))
	if err != nil {
		t.Fatal(err)
	}
	if !got.FailOnDrift || !got.RefreshOnly || got.Workspace != "prod" {
		t.Errorf("ParseDrift() = %+v, want fail-on-drift, refresh-only and workspace prod", got)
	}
	if _, _, err := terraform.ParseDrift(inputs(map[string]string{"fail-on-drift": "maybe"})); err == nil {
		t.Errorf("ParseDrift(fail-on-drift: maybe) succeeded, want an error")
	}
}
