package testkit

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TerraformVersion is the Terraform version the tests run.
const TerraformVersion = "1.5.7"

// Terraform returns the path of Terraform TerraformVersion:
// $ANVIL_TERRAFORM, else $(go env GOPATH)/bin/terraform (the first
// GOPATH entry), where .ci/setup.d/20-terraform.sh installs it. It never
// takes terraform from the PATH, which may hold another version. A
// missing or wrong binary fails the test with the command that installs
// the right one.
func Terraform(tb testing.TB) string {
	tb.Helper()
	path := os.Getenv("ANVIL_TERRAFORM")
	if path == "" {
		out, err := exec.Command("go", "env", "GOPATH").Output()
		if err != nil {
			tb.Fatalf("go env GOPATH: %v", err)
		}
		path = filepath.Join(filepath.SplitList(strings.TrimSpace(string(out)))[0], "bin", "terraform")
	}
	cmd := exec.Command(path, "version")
	cmd.Env = TerraformEnv()
	out, err := cmd.Output()
	if err != nil || !bytes.HasPrefix(out, []byte("Terraform v"+TerraformVersion+"\n")) {
		first, _, _ := strings.Cut(string(out), "\n")
		tb.Fatalf("Terraform %s is needed at %s (or at $ANVIL_TERRAFORM): got %q, %v; install it with: bash .ci/setup.d/20-terraform.sh",
			TerraformVersion, path, first, err)
	}
	return path
}

// TerraformEnv is the environment to run terraform with in tests: the
// test's, without TF_* settings (a machine may point TF_CLI_CONFIG_FILE
// at a missing file) and without checkpoint calls.
func TerraformEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") {
			env = append(env, kv)
		}
	}
	return append(env, "CHECKPOINT_DISABLE=1")
}
