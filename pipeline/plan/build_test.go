package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewOrdersBuiltWorkflows(t *testing.T) {
	t.Parallel()
	job := func(id string, needs ...string) *Job { return &Job{ID: id, Needs: needs} }
	tests := []struct {
		name    string
		jobs    []*Job
		want    []string
		wantErr string
	}{
		{
			name: "already ordered",
			jobs: []*Job{job("a"), job("b", "a")},
			want: []string{"a", "b"},
		},
		{
			name: "reordered stably",
			jobs: []*Job{job("c", "b"), job("x"), job("b", "a"), job("a")},
			want: []string{"x", "a", "b", "c"},
		},
		{
			name:    "cycle",
			jobs:    []*Job{job("a", "b"), job("b", "a")},
			wantErr: "ordering jobs of w.yml: their needs form a cycle; fix the workflow",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := &Workflow{File: "w.yml", On: map[string]*Trigger{"push": {}}, Jobs: tt.jobs}
			p, err := New([]*Workflow{w}, Event{Name: "push"})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("New() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New() error: %v", err)
			}
			var got []string
			for _, j := range p.Workflows[0].Jobs {
				got = append(got, j.ID)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("New() (-got +want):\n%s", diff)
			}
		})
	}
}
