package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// bins are the binaries the suite runs, built once per test process.
var bins testkit.Binaries

// TestMain removes the binaries the suite built.
func TestMain(m *testing.M) { os.Exit(bins.Main(m)) }

// runnerLabels are the labels the suite registers anvil with: every job
// runs on the host.
const runnerLabels = "ubuntu-latest:host"

// runnerConfig is the daemon's config: %[1]s is its directory. It polls
// and reports faster than the defaults, and runs a few jobs at once.
const runnerConfig = `log:
  level: debug
runner:
  file: %[1]s/.runner
  capacity: 3
  fetch_interval: 300ms
  report_interval: 300ms
  shutdown_timeout: 0s
host:
  workdir_parent: %[1]s/work
`

// startRunner builds anvil, registers it with f as a user would
// (anvil register --no-interactive), and starts anvil daemon with
// runnerConfig and the extra config sections given; the daemon is stopped
// when t ends, and its output logged if t failed.
func startRunner(ctx context.Context, t *testing.T, f Forge, extraConfig ...string) {
	t.Helper()
	bin := bins.Anvil(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, runnerConfig+strings.Join(extraConfig, ""), dir), 0o600); err != nil {
		t.Fatal(err)
	}
	tok, err := f.RegistrationToken(ctx)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LANG=C.UTF-8"}

	reg := exec.CommandContext(ctx, bin, "register", "-c", cfg, "--no-interactive",
		"--instance", f.URL(), "--name", "anvil-e2e", "--labels", runnerLabels, "--wait", "30s")
	reg.Dir, reg.Env = dir, append(env, "ANVIL_REGISTRATION_TOKEN="+tok)
	if out, err := reg.CombinedOutput(); err != nil {
		t.Fatalf("anvil register: %v\n%s", err, out)
	}

	out := &testkit.LockedBuffer{}
	daemon := exec.Command(bin, "daemon", "-c", cfg)
	daemon.Dir, daemon.Env = dir, env
	daemon.Stdout, daemon.Stderr = out, out
	daemon.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		_ = daemon.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-daemon.Process.Pid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-daemon.Process.Pid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("anvil daemon output:\n%s", out.String())
		}
	})
}
