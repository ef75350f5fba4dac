package cmd

import (
	"os"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// The chart's init container registers on the first start and does
// nothing on later ones.
func TestRegisterSkipIfRegistered(t *testing.T) {
	t.Parallel()
	srv, config, runnerFile := registerSetup(t)
	args := []string{"register", "-c", config, "--instance", srv.URL(), "--name", "pod-0", "--token", "reg-token-123", "--skip-if-registered", "--no-interactive"}
	proc, _, stderr := testProcess(nil)
	if code := Main(t.Context(), proc, args); code != ExitOK {
		t.Fatalf("first start: exit %d\n%s", code, stderr)
	}
	first, err := os.ReadFile(runnerFile)
	if err != nil {
		t.Fatal(err)
	}
	proc, stdout, stderr := testProcess(nil)
	if code := Main(t.Context(), proc, args); code != ExitOK {
		t.Fatalf("second start: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout.String(), "nothing to do") {
		t.Errorf("second start says %q", stdout)
	}
	if again, _ := os.ReadFile(runnerFile); string(again) != string(first) {
		t.Errorf("the registration changed on the second start")
	}
	if n := srv.Requests(forgetest.MethodRegister); n != 1 {
		t.Errorf("the forge got %d Register calls, want 1", n)
	}
}
