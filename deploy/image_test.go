package deploy_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

var bins testkit.Binaries

// TestMain removes the binary TestImage built.
func TestMain(m *testing.M) { os.Exit(bins.Main(m)) }

// TestImage builds the container image as make image does (a static
// binary, then scripts/build-image.sh) on the real Docker engine, runs it,
// and checks what the script promises: anvil as the entrypoint, user
// 65532, CA certificates, and no shell.
func TestImage(t *testing.T) {
	t.Parallel()
	dockertest.Client(t) // skips, or fails in CI, without an engine
	// The build has no deadline of its own (go test's -timeout bounds
	// it): cold, on a busy 2-core machine, it took over 5 minutes.
	bin := bins.AnvilStatic(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	tag := "anvil-test/image-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")) + ":" + time.Now().Format("150405.000000")
	tag = strings.ReplaceAll(tag, ".", "")
	if out, err := exec.CommandContext(ctx, "bash", "../scripts/build-image.sh", bin, tag).CombinedOutput(); err != nil {
		t.Fatalf("scripts/build-image.sh: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", tag).Run() })

	run := func(args ...string) (string, error) {
		out, err := exec.CommandContext(ctx, "docker", append([]string{"run", "--rm"}, args...)...).CombinedOutput()
		return string(out), err
	}
	if out, err := run(tag, "version"); err != nil || !strings.HasPrefix(out, "anvil ") {
		t.Errorf("docker run %s version = %q, %v; want the anvil version", tag, out, err)
	}
	out, err := exec.CommandContext(ctx, "docker", "image", "inspect", "--format", "{{.Config.User}} {{json .Config.Entrypoint}}", tag).Output()
	if got := strings.TrimSpace(string(out)); err != nil || got != `65532:65532 ["/anvil"]` {
		t.Errorf("image user and entrypoint = %q, %v; want 65532:65532 [\"/anvil\"]", got, err)
	}
	if out, err := run("--entrypoint", "/bin/sh", tag, "-c", "true"); err == nil {
		t.Errorf("the image has a shell; want none:\n%s", out)
	}
	if out, err := run("--entrypoint", "/anvil", tag, "generate-config"); err != nil || !strings.Contains(out, "runner:") {
		t.Errorf("anvil generate-config in the image = %v:\n%s", err, out)
	}
}
