package policy

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the package beside the planner: it reads plan types
// and never depends on the executor, the runner or the forge.
func TestImports(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"/executor", "/runner", "/forge", "/cmd", "/audit"} {
			if strings.HasPrefix(dep, "codeberg.org/anvil-ci/anvil") && strings.Contains(dep, banned) {
				t.Errorf("pipeline/policy depends on %s", dep)
			}
		}
	}
}
