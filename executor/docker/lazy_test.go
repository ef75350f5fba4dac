package docker_test

import (
	"os"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor/docker"
	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
)

func TestLazyUnreachable(t *testing.T) {
	t.Parallel()
	l := docker.NewLazy("unix:///nonexistent/docker.sock", docker.Config{})
	defer l.Close()
	_, err := l.Backend()
	if err == nil || !strings.Contains(err.Error(), "no Docker engine reachable at unix:///nonexistent/docker.sock") || !strings.Contains(err.Error(), "DOCKER_HOST") {
		t.Errorf("Backend() error = %v, want one naming the address and DOCKER_HOST", err)
	}
	if _, again := l.Backend(); again == nil || again.Error() != err.Error() {
		t.Errorf("second Backend() error = %v, want the same error", again)
	}
}

func TestLazyConnectsOnce(t *testing.T) {
	t.Parallel()
	dockertest.Client(t)
	l := docker.NewLazy(os.Getenv("DOCKER_HOST"), docker.Config{})
	defer l.Close()
	first, err := l.Backend()
	if err != nil {
		t.Fatalf("Backend() = %v", err)
	}
	if again, err := l.Backend(); err != nil || again != first {
		t.Errorf("second Backend() = %v, %v; want the same backend", again, err)
	}
}

func TestCleanupHostUnreachable(t *testing.T) {
	t.Parallel()
	if _, err := docker.CleanupHost(t.Context(), "unix:///nonexistent/docker.sock"); err == nil {
		t.Errorf("CleanupHost of an engine that is not there: no error")
	}
}
