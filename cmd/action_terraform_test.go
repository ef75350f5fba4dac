package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestActionTerraformInputs runs the Terraform action commands through
// Main with inputs from flags and INPUT_* variables, up to the point where
// they reject them or look for the working directory (terraform itself
// runs in the scenarios of actions/terraform).
func TestActionTerraformInputs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		args        []string
		env         map[string]string
		wantCode    int
		wantOutput  string
		wantStdout  []string
		notInStdout []string
	}{
		{
			name:       "apply without bundle and hash",
			args:       []string{"action", "terraform-apply"},
			env:        map[string]string{"INPUT_ENCRYPTION_PASSPHRASE": "pass-w0rd"},
			wantCode:   ExitUsage,
			wantOutput: "failure-reason<<",
			wantStdout: []string{"::error::input bundle is empty", "input expected-sha256 is empty"},
		},
		{
			name:       "bad boolean and duration",
			args:       []string{"action", "terraform-drift", "--fail-on-drift", "maybe"},
			env:        map[string]string{"INPUT_TIMEOUT": "soon"},
			wantCode:   ExitUsage,
			wantStdout: []string{"input fail-on-drift is \"maybe\"", "input timeout is \"soon\""},
		},
		{
			name:       "INPUT_ with underscores",
			args:       []string{"action", "terraform-plan"},
			env:        map[string]string{"INPUT_WORKING_DIRECTORY": "/no/such/underscore", "INPUT_WORKING-DIRECTORY": "/no/such/hyphen"},
			wantCode:   ExitFailed,
			wantStdout: []string{"::error::invalid-input: working-directory /no/such/underscore is not a directory"},
		},
		{
			name:       "INPUT_ with hyphens, as GitHub names them",
			args:       []string{"action", "terraform-plan"},
			env:        map[string]string{"INPUT_WORKING-DIRECTORY": "/no/such/hyphen"},
			wantCode:   ExitFailed,
			wantStdout: []string{"working-directory /no/such/hyphen is not a directory"},
		},
		{
			name:       "flags win over INPUT_",
			args:       []string{"action", "terraform-apply", "--working-directory", "/no/such/flag", "--bundle", "b", "--expected-sha256", "00"},
			env:        map[string]string{"INPUT_WORKING_DIRECTORY": "/no/such/env", "INPUT_ENCRYPTION_PASSPHRASE": "pass-w0rd"},
			wantCode:   ExitFailed,
			wantOutput: "invalid-input",
			wantStdout: []string{"::add-mask::pass-w0rd", "working-directory /no/such/flag is not a directory"},
		},
		{
			name:       "terraform missing",
			args:       []string{"action", "terraform-plan", "--working-directory", "."},
			env:        map[string]string{"PATH": "/nowhere"},
			wantCode:   ExitFailed,
			wantOutput: "init-failed",
			wantStdout: []string{"terraform not found: \"terraform\" is not on the PATH"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			output := filepath.Join(t.TempDir(), "output")
			env := map[string]string{"GITHUB_OUTPUT": output, "RUNNER_TEMP": t.TempDir()}
			for k, v := range tt.env {
				env[k] = v
			}
			proc, stdout, stderr := testProcess(env)
			code := Main(t.Context(), proc, tt.args)
			if code != tt.wantCode {
				t.Errorf("anvil %q exited %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("anvil %q stdout lacks %q:\n%s", tt.args, w, stdout)
				}
			}
			if strings.Contains(stdout.String(), "pass-w0rd") && !strings.Contains(stdout.String(), "::add-mask::pass-w0rd") {
				t.Errorf("the passphrase shows unmasked:\n%s", stdout)
			}
			if stderr.Len() > 0 {
				t.Errorf("anvil %q wrote to stderr (failures are reported once, as ::error::):\n%s", tt.args, stderr)
			}
			data, _ := os.ReadFile(output)
			if !strings.Contains(string(data), tt.wantOutput) {
				t.Errorf("$GITHUB_OUTPUT = %q, want it to hold %q", data, tt.wantOutput)
			}
		})
	}
}

func TestActionHelpListsTerraform(t *testing.T) {
	t.Parallel()
	proc, stdout, _ := testProcess(nil)
	if code := Main(t.Context(), proc, []string{"action", "--help"}); code != ExitOK {
		t.Fatalf("anvil action --help exited %d", code)
	}
	for _, w := range []string{"terraform-plan", "terraform-apply", "terraform-drift"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("anvil action --help does not list %s:\n%s", w, stdout)
		}
	}
}
