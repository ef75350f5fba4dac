package terraform_test

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/actions/terraform"
)

func TestParsePlanJSON(t *testing.T) {
	t.Parallel()
	mixed, err := os.ReadFile("testdata/show/mixed.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		input   string
		want    *terraform.PlanSummary
		wantErr bool
	}{
		{
			// terraform show -json of Terraform 1.5.7 for a plan with every
			// kind of change: a replacement is one add and one destroy.
			name:  "terraform 1.5.7 plan",
			input: string(mixed),
			want: &terraform.PlanSummary{
				TerraformVersion: "1.5.7",
				Counts:           terraform.Counts{Add: 2, Change: 1, Destroy: 2},
				Changes: []terraform.ResourceChange{
					{Address: "terraform_data.added[0]", Action: "create"},
					{Address: "terraform_data.removed[0]", Action: "delete"},
					{Address: "terraform_data.replaced", Action: "replace"},
					{Address: "terraform_data.updated", Action: "update"},
				},
				OutputChanges: []string{"v"},
			},
		},
		{
			name: "data sources, no-ops and drift",
			input: `{"format_version":"1.1","terraform_version":"1.3.0",
				"resource_changes":[
					{"address":"data.x.y","mode":"data","change":{"actions":["read"]}},
					{"address":"a.b","mode":"managed","change":{"actions":["no-op"]}},
					{"address":"a.c","mode":"managed","change":{"actions":["create","delete"]}}],
				"resource_drift":[{"address":"a.b","mode":"managed","change":{"actions":["update"]}}],
				"output_changes":{"same":{"actions":["no-op"]}}}`,
			want: &terraform.PlanSummary{
				TerraformVersion: "1.3.0",
				Counts:           terraform.Counts{Add: 1, Destroy: 1},
				Changes:          []terraform.ResourceChange{{Address: "a.c", Action: "replace"}},
				Drift:            []terraform.ResourceChange{{Address: "a.b", Action: "update"}},
			},
		},
		{name: "not JSON", input: "Plan: 1 to add", wantErr: true},
		{name: "format 0.x", input: `{"format_version":"0.2"}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := terraform.ParsePlanJSON([]byte(tt.input))
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParsePlanJSON() error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("ParsePlanJSON() (-got +want):\n%s", diff)
			}
		})
	}
}
