package giteatest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"code.gitea.io/sdk/gitea"
)

// Server is a running Gitea with an admin user.
type Server struct {
	// URL is the instance's root URL without a trailing slash,
	// http://127.0.0.1:PORT.
	URL string
	// Admin and Password are the admin user's credentials; Token is an
	// access token of that user with every scope.
	Admin, Password, Token string

	dir  string // the instance's temporary directory
	bin  string
	cfg  string // app.ini
	env  []string
	hc   *http.Client
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// startTimeout bounds Gitea's start (migrating a fresh database included).
const startTimeout = 2 * time.Minute

// Start starts a Gitea of its own for tb, with an admin user, and stops it
// and removes all its files when tb ends. Without the build of
// .ci/setup.d/40-gitea.sh it skips tb (see the package doc).
func Start(tb testing.TB) *Server {
	tb.Helper()
	b := findBuild(tb)
	dir := tb.TempDir()
	port, err := freePort()
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := writeConfig(dir, b.static, port)
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{
		URL: portURL(port), Admin: "anvil", Password: randomText(12),
		dir: dir, bin: b.bin, cfg: cfg,
		env: []string{
			"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GITEA_WORK_DIR=" + dir,
			"USER=" + os.Getenv("USER"), "LANG=C.UTF-8",
		},
		hc:   &http.Client{Timeout: time.Minute},
		done: make(chan struct{}),
	}
	// Registered after TempDir, so it runs before the directory goes.
	tb.Cleanup(func() {
		s.stop()
		if tb.Failed() {
			tb.Logf("gitea log (%s), last lines:\n%s", filepath.Join(dir, "log", "gitea.log"), s.LogTail(60))
		}
	})
	ctx, cancel := context.WithTimeout(tb.Context(), startTimeout)
	defer cancel()
	if err := s.start(ctx); err != nil {
		tb.Fatalf("starting gitea %s: %v\nlast log lines:\n%s", Version, err, s.LogTail(40))
	}
	if err := s.createAdmin(ctx); err != nil {
		tb.Fatalf("creating gitea's admin user: %v", err)
	}
	return s
}

// start runs gitea web and waits until it answers /api/healthz.
func (s *Server) start(ctx context.Context) error {
	out, err := os.Create(filepath.Join(s.dir, "stdout.log"))
	if err != nil {
		return err
	}
	defer out.Close()
	s.cmd = exec.Command(s.bin, "web", "--config", s.cfg)
	s.cmd.Dir, s.cmd.Env = s.dir, s.env
	s.cmd.Stdout, s.cmd.Stderr = out, out
	// Its own process group, so that stop reaches the git processes too.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("running %s web: %w", s.bin, err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.done)
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/api/healthz", nil)
		if resp, err := s.hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("gitea web exited (%v) before it answered; stdout: %s", s.cmd.ProcessState, readTail(filepath.Join(s.dir, "stdout.log"), 20))
		case <-ctx.Done():
			return fmt.Errorf("gitea did not answer %s/api/healthz: %w", s.URL, context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// stop ends Gitea: SIGTERM to its process group (Gitea and the git
// processes it runs), SIGKILL after a few seconds. Safe to call when it
// never started.
func (s *Server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	pgid := -s.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-s.done
	}
}

// createAdmin creates the admin user and its access token with Gitea's CLI
// (the only way on an instance without users).
func (s *Server) createAdmin(ctx context.Context) error {
	out, err := s.CLI(ctx, "admin", "user", "create", "--admin",
		"--username", s.Admin, "--password", s.Password, "--email", s.Admin+"@localhost",
		"--must-change-password=false", "--access-token", "--access-token-scopes", "all")
	if err != nil {
		return err
	}
	const marker = "Access token was successfully created... "
	_, tok, ok := strings.Cut(out, marker)
	tok, _, _ = strings.Cut(tok, "\n")
	if !ok || strings.TrimSpace(tok) == "" {
		return fmt.Errorf("gitea admin user create printed no access token: %q", out)
	}
	s.Token = strings.TrimSpace(tok)
	return nil
}

// CLI runs the gitea binary with args and this instance's config, and
// returns its standard output.
func (s *Server) CLI(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, s.bin, append(args, "--config", s.cfg)...)
	cmd.Dir, cmd.Env = s.dir, s.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("gitea %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()+stdout.String()))
	}
	return stdout.String(), nil
}

// LogTail returns the last n lines of Gitea's own log, for a failing
// test's output.
func (s *Server) LogTail(n int) string {
	return readTail(filepath.Join(s.dir, "log", "gitea.log"), n)
}

// readTail returns the last n lines of the file at path, or why not.
func readTail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "(no " + path + ")"
		}
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// client returns an SDK client of the admin that uses ctx.
func (s *Server) client(ctx context.Context) (*gitea.Client, error) {
	c, err := gitea.NewClient(s.URL, gitea.SetToken(s.Token), gitea.SetGiteaVersion(Version),
		gitea.SetContext(ctx), gitea.SetHTTPClient(s.hc))
	if err != nil {
		return nil, fmt.Errorf("making a gitea API client: %w", err)
	}
	return c, nil
}
