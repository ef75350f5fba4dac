package terraform_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/actions/internal/actiontest"
)

func TestMain(m *testing.M) { os.Exit(actiontest.Main(m)) }

// wantTerraform is the Terraform version the tests run.
const wantTerraform = "1.5.7"

// terraformBinary returns Terraform 1.5.7: $ANVIL_TERRAFORM, else
// $(go env GOPATH)/bin/terraform, where .ci/setup.d/20-terraform.sh
// installs it. It never takes terraform from the PATH, which may hold
// another version. A missing or wrong binary fails the test.
func terraformBinary(t *testing.T) string {
	t.Helper()
	path := os.Getenv("ANVIL_TERRAFORM")
	if path == "" {
		out, err := exec.Command("go", "env", "GOPATH").Output()
		if err != nil {
			t.Fatalf("go env GOPATH: %v", err)
		}
		gopath := strings.TrimSpace(string(out))
		path = filepath.Join(filepath.SplitList(gopath)[0], "bin", "terraform")
	}
	cmd := exec.Command(path, "version")
	cmd.Env = terraformEnv()
	out, err := cmd.Output()
	if err != nil || !bytes.HasPrefix(out, []byte("Terraform v"+wantTerraform+"\n")) {
		t.Fatalf("Terraform %s is needed at %s (or at $ANVIL_TERRAFORM): got %q, %v; install it with: bash .ci/setup.d/20-terraform.sh", wantTerraform, path, firstLine(out), err)
	}
	return path
}

// terraformEnv is the environment the tests run terraform with: the
// test's, without TF_* settings (this machine points TF_CLI_CONFIG_FILE at
// a missing file) and without checkpoint calls.
func terraformEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") {
			env = append(env, kv)
		}
	}
	return append(env, "CHECKPOINT_DISABLE=1")
}

func firstLine(b []byte) string {
	line, _, _ := strings.Cut(string(b), "\n")
	return line
}
