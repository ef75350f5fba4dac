package pipeline

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTaskWorkflow(t *testing.T) {
	t.Parallel()
	// A job as Gitea and Forgejo send it: one job of the run, matrix
	// already expanded, still naming the jobs it needs.
	const task = `name: ci
"on": push
jobs:
  deploy:
    name: deploy (linux)
    needs: [build, test]
    runs-on: self-hosted
    strategy:
      matrix:
        os: [linux]
    steps:
      - run: echo ${{ needs.build.outputs.v }}
`
	tests := []struct {
		name      string
		data      string
		wantNeeds []string
		wantErr   string // substring; "" means no error
	}{
		{name: "needs outside the file", data: task, wantNeeds: []string{"build", "test"}},
		{name: "cycle still reported", data: `on: push
jobs:
  a: {needs: b, runs-on: x, steps: [{run: "true"}]}
  b: {needs: a, runs-on: x, steps: [{run: "true"}]}
`, wantErr: "needs cycle"},
		{name: "other problems still reported", data: `on: push
jobs:
  a: {needs: gone, runs-on: x, stepz: []}
`, wantErr: "stepz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, err := ParseTaskWorkflow("task.yml", []byte(tt.data))
			if tt.wantErr != "" {
				var perr Errors
				if !errors.As(err, &perr) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseTaskWorkflow() error = %v, want Errors containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTaskWorkflow() error = %v", err)
			}
			if diff := cmp.Diff(w.Jobs[0].Needs, tt.wantNeeds); diff != "" {
				t.Errorf("ParseTaskWorkflow() needs (-got +want):\n%s", diff)
			}
			if _, err := ParseWorkflow("task.yml", []byte(tt.data)); err == nil {
				t.Errorf("ParseWorkflow() accepted needs outside the file; want an error")
			}
		})
	}
}
