package lint

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

func TestOutline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		yaml string
		want *plan.Workflow
	}{
		{
			name: "jobs of a workflow with problems",
			yaml: "name: CI\non: [push, pull_request]\njobs:\n  build:\n    name: Build it\n    steps: nope\n  test:\n    needs: [build, lint]\n  deploy: 3\n",
			want: &plan.Workflow{File: "w.yml", Name: "CI",
				On: map[string]*plan.Trigger{"push": nil, "pull_request": nil},
				Jobs: []*plan.Job{
					{ID: "build", Name: "Build it", Pos: plan.Position{File: "w.yml", Line: 4, Column: 3}},
					{ID: "test", Needs: []string{"build", "lint"}, Pos: plan.Position{File: "w.yml", Line: 7, Column: 3}},
					{ID: "deploy", Pos: plan.Position{File: "w.yml", Line: 9, Column: 3}},
				}},
		},
		{
			name: "events as a mapping, needs as a string",
			yaml: "on:\n  push:\n    branchs: [x]\njobs:\n  a:\n    needs: b\n",
			want: &plan.Workflow{File: "w.yml", On: map[string]*plan.Trigger{"push": nil},
				Jobs: []*plan.Job{{ID: "a", Needs: []string{"b"}, Pos: plan.Position{File: "w.yml", Line: 5, Column: 3}}}},
		},
		{
			name: "no events",
			yaml: "jobs:\n  a: {}\n",
			want: &plan.Workflow{File: "w.yml", Jobs: []*plan.Job{{ID: "a", Pos: plan.Position{File: "w.yml", Line: 2, Column: 3}}}},
		},
		{name: "not YAML", yaml: "jobs: [\n", want: &plan.Workflow{File: "w.yml"}},
		{name: "not a mapping", yaml: "- a\n", want: &plan.Workflow{File: "w.yml"}},
		{name: "empty", yaml: "", want: &plan.Workflow{File: "w.yml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(Outline("w.yml", []byte(tt.yaml)), tt.want); diff != "" {
				t.Errorf("Outline() differs (-got +want):\n%s", diff)
			}
		})
	}
}
