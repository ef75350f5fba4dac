package pipeline

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPermissionsAndEnvironment checks that the permissions of a workflow
// and its jobs and a job's deployment environment reach the plan in every
// form the syntax allows.
func TestPermissionsAndEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		yaml  string
		perms map[string]string
		env   string
	}{
		{name: "absent", yaml: "runs-on: x", perms: nil},
		{name: "read-all", yaml: "runs-on: x\n    permissions: read-all", perms: map[string]string{"*": "read"}},
		{name: "write-all", yaml: "runs-on: x\n    permissions: write-all", perms: map[string]string{"*": "write"}},
		{name: "none", yaml: "runs-on: x\n    permissions: {}", perms: map[string]string{}},
		{name: "scopes", yaml: "runs-on: x\n    permissions:\n      contents: read\n      id-token: write",
			perms: map[string]string{"contents": "read", "id-token": "write"}},
		{name: "environment name", yaml: "runs-on: x\n    environment: production", env: "production"},
		{name: "environment mapping", yaml: "runs-on: x\n    environment:\n      name: staging\n      url: https://s.example", env: "staging"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "on: push\npermissions:\n  contents: read\njobs:\n  a:\n    " + tt.yaml + "\n    steps:\n      - run: true\n"
			w, err := ParseWorkflow("w.yml", []byte(src))
			if err != nil {
				t.Fatalf("ParseWorkflow: %v", err)
			}
			if diff := cmp.Diff(w.Permissions, map[string]string{"contents": "read"}); diff != "" {
				t.Errorf("workflow permissions (-got +want):\n%s", diff)
			}
			j := w.Jobs[0]
			if diff := cmp.Diff(j.Permissions, tt.perms); diff != "" {
				t.Errorf("job permissions (-got +want):\n%s", diff)
			}
			if (j.Permissions == nil) != (tt.perms == nil) {
				t.Errorf("job permissions nil = %v, want %v", j.Permissions == nil, tt.perms == nil)
			}
			if j.Environment != tt.env {
				t.Errorf("environment = %q, want %q", j.Environment, tt.env)
			}
		})
	}
}
