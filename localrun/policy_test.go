package localrun

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPolicyInputs(t *testing.T) {
	t.Parallel()
	matrix := "on: push\njobs:\n  build:\n    strategy: {matrix: {os: [a, b]}}\n    runs-on: ${{ matrix.os }}\n    steps: [{run: make}]\n"
	tests := []struct {
		name         string
		files        map[string]string
		workflows    string
		event        string
		want         []string // workflow: key (runs-on)
		wantNote     string
		wantUsage    string
		refProtected bool
	}{
		{name: "a matrix expanded", files: map[string]string{".forgejo/workflows/ci.yml": matrix}, event: "push", refProtected: true,
			want: []string{".forgejo/workflows/ci.yml: build (a) [a]", ".forgejo/workflows/ci.yml: build (b) [b]"}},
		{name: "not triggered", files: map[string]string{".forgejo/workflows/ci.yml": goodWorkflow}, event: "pull_request"},
		{name: "no workflows", files: map[string]string{"README": "x"}, event: "push", wantNote: "so only the tests ran"},
		{name: "no workflows but -W", files: map[string]string{"README": "x"}, workflows: "nope.yml", event: "push", wantUsage: "nope.yml"},
		{name: "a broken workflow", files: map[string]string{".forgejo/workflows/bad.yml": badWorkflow}, event: "push",
			wantUsage: "has errors (see anvil lint)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeWorkflows(t, tt.files)
			var stderr strings.Builder
			h := Host{LookupEnv: func(string) (string, bool) { return "", false }, Now: time.Unix(1700000000, 0), Stderr: &stderr}
			got, err := PolicyInputs(context.Background(), Options{Dir: dir, Workflows: tt.workflows}, h, tt.event, tt.refProtected)
			if tt.wantUsage != "" {
				var ue *UsageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantUsage) {
					t.Fatalf("PolicyInputs = %v, want a usage error with %q", err, tt.wantUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var jobs []string
			for _, in := range got {
				jobs = append(jobs, in.Job.Workflow+": "+in.Job.Key+" ["+strings.Join(in.Job.RunsOn, ",")+"]")
				if in.Task.Event != tt.event || in.Task.RefProtected != tt.refProtected {
					t.Errorf("task %+v, want event %s, ref_protected %v", in.Task, tt.event, tt.refProtected)
				}
			}
			if strings.Join(jobs, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("jobs:\n%s\nwant:\n%s", strings.Join(jobs, "\n"), strings.Join(tt.want, "\n"))
			}
			if !strings.Contains(stderr.String(), tt.wantNote) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.wantNote)
			}
		})
	}
}
