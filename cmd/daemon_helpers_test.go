package cmd

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// bins are the binaries the daemon tests run, built once per test process.
var bins testkit.Binaries

// TestMain removes the binaries the tests built.
func TestMain(m *testing.M) { os.Exit(bins.Main(m)) }

// daemonLabels are the labels of test daemons.
var testDaemonLabels = []string{"self-hosted:host", "ubuntu-latest:docker://node:20-bookworm"}

// daemonDir is a registered runner's directory: .runner and config.yaml.
type daemonDir struct {
	dir    string
	config string
	runner forgetest.RunnerRecord
	// env replaces HOME=dir in the daemon's environment when set.
	env []string
}

// newDaemonDir registers a runner on srv and writes its files; extra is
// appended to the runner: section of the config, which polls and reports
// faster than the defaults.
func newDaemonDir(tb testing.TB, srv *forgetest.Server, extra string) daemonDir {
	return newDaemonDirConfig(tb, srv, "log:\n  level: debug\nrunner:\n  fetch_interval: 200ms\n  report_interval: 200ms\n"+extra)
}

// newDaemonDirConfig registers a runner on srv and writes its files with
// config as the config file, plus runner.file and host.workdir_parent.
func newDaemonDirConfig(tb testing.TB, srv *forgetest.Server, config string) daemonDir {
	tb.Helper()
	dir := tb.TempDir()
	rec := srv.AddRunner("daemon", forge.LabelNames(testDaemonLabels))
	err := forge.WriteRunnerFile(filepath.Join(dir, ".runner"), forge.RunnerFile{
		ID: rec.ID, UUID: rec.UUID, Name: rec.Name, Token: rec.Token, Address: srv.URL(), Labels: testDaemonLabels,
	})
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	if !strings.Contains(config, "runner:\n") {
		config += "runner:\n"
	}
	body := strings.Replace(config, "runner:\n", "runner:\n  file: "+filepath.Join(dir, ".runner")+"\n", 1) +
		"host:\n  workdir_parent: " + filepath.Join(dir, "work") + "\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		tb.Fatal(err)
	}
	return daemonDir{dir: dir, config: path, runner: rec}
}

// daemon is a running anvil daemon child process.
type daemon struct {
	cmd    *exec.Cmd
	stderr *testkit.LockedBuffer
	done   chan struct{}
	err    error
}

// startDaemon starts anvil daemon -c d.config (plus args) in d.dir.
func startDaemon(tb testing.TB, d daemonDir, args ...string) *daemon {
	tb.Helper()
	cmd := exec.Command(bins.Anvil(tb), append([]string{"daemon", "-c", d.config}, args...)...)
	cmd.Dir = d.dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + d.dir, "LANG=C.UTF-8"}
	if d.env != nil {
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8"}, d.env...)
	}
	p := &daemon{cmd: cmd, stderr: &testkit.LockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stderr, p.stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

// signal sends sig to the daemon.
func (p *daemon) signal(tb testing.TB, sig syscall.Signal) {
	tb.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		tb.Fatalf("signalling the daemon: %v", err)
	}
}

// wait waits for the daemon to exit and returns its exit code.
func (p *daemon) wait(tb testing.TB, d time.Duration) int {
	tb.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		tb.Fatalf("the daemon did not exit within %s; its log:\n%s", d, p.stderr)
	}
	return -1
}

// procStatus reads a field of /proc/PID/status in kB ("VmRSS", "VmHWM").
func procStatus(pid int, field string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// rowsOf joins a task's rows.
func rowsOf(rec forgetest.TaskRecord) string {
	var b strings.Builder
	for _, r := range rec.Rows {
		b.WriteString(r.Content)
		b.WriteByte('\n')
	}
	return b.String()
}
