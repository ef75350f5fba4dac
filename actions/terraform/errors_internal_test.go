package terraform

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lockDetail is the detail of Terraform 1.5.7's lock diagnostic for the
// local backend, as plan -json and apply -json print it.
const lockDetail = "Error message: resource temporarily unavailable\nLock Info:\n  ID:        c46342e3-07fd-95f0-db5f-758d3ac40d25\n  Path:      /srv/state/terraform.tfstate\n  Operation: OperationTypeApply\n  Who:       ci@runner-3\n  Version:   1.5.7\n  Created:   2026-11-22 02:50:32.047043798 +0000 UTC\n  Info:      \n\n\nTerraform acquires a state lock to protect the state from being written\nby multiple users at the same time. Please resolve the issue above and try\nagain. For most commands, you can disable locking with the \"-lock=false\"\nflag, but this is not recommended."

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		diags    []Diagnostic
		other    Reason
		want     Reason
		wantLock *LockInfo
		wantMsg  string
	}{
		{
			name:  "state lock",
			diags: []Diagnostic{{Severity: "error", Summary: "Error acquiring the state lock", Detail: lockDetail}},
			other: ReasonApplyFailed, want: ReasonStateLocked,
			wantLock: &LockInfo{ID: "c46342e3-07fd-95f0-db5f-758d3ac40d25", Path: "/srv/state/terraform.tfstate", Operation: "OperationTypeApply",
				Who: "ci@runner-3", Version: "1.5.7", Created: "2026-11-22 02:50:32.047043798 +0000 UTC"},
		},
		{
			name:  "stale plan",
			diags: []Diagnostic{{Severity: "error", Summary: "Saved plan is stale", Detail: "The given plan file can no longer be applied because the state was changed by another operation after the plan was created."}},
			other: ReasonApplyFailed, want: ReasonPlanStale, wantMsg: "plan again",
		},
		{
			name:  "other errors are joined",
			diags: []Diagnostic{{Severity: "error", Summary: "local-exec provisioner error"}, {Severity: "error", Summary: "execution halted"}},
			other: ReasonApplyFailed, want: ReasonApplyFailed, wantMsg: "local-exec provisioner error; execution halted",
		},
		{name: "no diagnostic", other: ReasonPlanFailed, want: ReasonPlanFailed, wantMsg: "see the log above"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := classify(tt.diags, tt.other)
			if f.Reason != tt.want || ReasonOf(f) != tt.want {
				t.Errorf("classify() reason = %s, want %s", f.Reason, tt.want)
			}
			if diff := cmp.Diff(f.Lock, tt.wantLock); diff != "" {
				t.Errorf("classify() lock (-got +want):\n%s", diff)
			}
			if !strings.Contains(f.Error(), tt.wantMsg) {
				t.Errorf("classify() = %q, want it to say %q", f.Error(), tt.wantMsg)
			}
		})
	}
}

func TestParseLockInfoWithoutBlock(t *testing.T) {
	t.Parallel()
	if li := parseLockInfo("Error message: permission denied"); li != nil {
		t.Errorf("parseLockInfo(no Lock Info) = %+v, want nil", li)
	}
}

func TestDisplayArgsHidesValues(t *testing.T) {
	t.Parallel()
	got := displayArgs([]string{"plan", "-var=token=abc", "-backend-config=access_key=xyz", "-backend-config=backend.hcl", "-target=a.b"})
	want := []string{"plan", "-var=token=…", "-backend-config=access_key=…", "-backend-config=backend.hcl", "-target=a.b"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("displayArgs() (-got +want):\n%s", diff)
	}
}

func TestSecretValues(t *testing.T) {
	t.Parallel()
	got := secretValues([]string{"api_token=t1", "db_password=p1", "access_key=k1", "key=state/prod.tfstate", "image=web:1", "client_secret=s1", "path=/x"})
	want := []string{"t1", "p1", "k1", "s1"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("secretValues() (-got +want):\n%s", diff)
	}
}
