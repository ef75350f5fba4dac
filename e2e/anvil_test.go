package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain removes the anvil binary the suite builds.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	binDir   string
	buildBin = sync.OnceValues(func() (string, error) {
		dir, err := os.MkdirTemp("", "anvil-e2e-")
		if err != nil {
			return "", err
		}
		binDir = dir
		bin := filepath.Join(dir, "anvil")
		out, err := exec.Command("go", "build", "-o", bin, "codeberg.org/anvil-ci/anvil/cmd/anvil").CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("building anvil: %v\n%s", err, out)
		}
		return bin, nil
	})
)

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

// lockedBuffer collects a child's output safely.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startRunner builds anvil, registers it with f as a user would
// (anvil register --no-interactive), and starts anvil daemon; the daemon
// is stopped when t ends, and its output logged if t failed.
func startRunner(ctx context.Context, t *testing.T, f Forge) {
	t.Helper()
	bin, err := buildBin()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, runnerConfig, dir), 0o600); err != nil {
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

	out := &lockedBuffer{}
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
