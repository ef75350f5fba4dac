package deploy_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// requireTool returns the path of a tool, or skips the test when it is
// missing, unless in CI (CI=true or ANVIL_REQUIRE_DOCKER=1, which .ci/run
// sets): then a missing tool fails the test.
func requireTool(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" || os.Getenv("ANVIL_REQUIRE_DOCKER") == "1" {
		t.Fatalf("%s is missing in CI: %s", name, install)
	}
	t.Skipf("%s is missing (%s); in CI this is a failure", name, install)
	return ""
}

// unitDirectives reads a unit file's Key=Value lines, by key.
func unitDirectives(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			out[k] = append(out[k], v)
		}
	}
	return out
}

func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	const unit = "systemd/anvil.service"
	d := unitDirectives(t, unit)
	for key, want := range map[string]string{
		"DynamicUser":     "yes",
		"ProtectSystem":   "strict",
		"NoNewPrivileges": "yes",
		"StateDirectory":  "anvil",
		"KillSignal":      "SIGTERM",
		"ExecStart":       "/usr/local/bin/anvil daemon -c /etc/anvil/config.yaml",
	} {
		if got := d[key]; len(got) != 1 || got[0] != want {
			t.Errorf("%s=%v, want %s", key, got, want)
		}
	}
	analyze := requireTool(t, "systemd-analyze", ".ci/setup.d/50-systemd.sh installs it (apt-get install systemd)")
	// verify checks that ExecStart's program exists: point it at the test
	// binary, keeping every other line.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "anvil.service")
	if err := os.WriteFile(tmp, []byte(strings.ReplaceAll(string(data), "/usr/local/bin/anvil", self)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", tmp).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// The sandbox's exposure, on systemd's scale of 0 (locked down) to 10:
	// at most 3 ("OK").
	out, err := exec.Command(analyze, "security", "--offline=true", "--threshold=30", tmp).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze security: exposure above 3.0 (%v):\n%s", err, lastLines(string(out), 3))
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}
