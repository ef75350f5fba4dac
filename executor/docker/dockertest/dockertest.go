// Package dockertest gives tests a Docker engine and the test image, or a
// reasoned skip where there is none. Where ANVIL_REQUIRE_DOCKER=1 (CI),
// a missing engine or image fails the test instead, so that a green run
// means the container tests ran.
package dockertest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"codeberg.org/anvil-ci/anvil/executor/docker"
)

// Image is the image the tests run in, built by
// scripts/build-test-image.sh: Debian bookworm with bash, node, git,
// python3 and ca-certificates.
const Image = "anvil-test/bookworm:latest"

// LabelTest is the label tests put on everything they create, with a
// value unique to the test (see Labels).
const LabelTest = "anvil.test"

// Client returns a client of the Docker engine at DOCKER_HOST (or the
// default socket) that has Image, closed when tb ends. Without them it
// skips tb, or fails it when ANVIL_REQUIRE_DOCKER=1.
func Client(tb testing.TB) *client.Client {
	tb.Helper()
	missing := func(format string, args ...any) {
		tb.Helper()
		if os.Getenv("ANVIL_REQUIRE_DOCKER") == "1" {
			tb.Fatalf(format+" (ANVIL_REQUIRE_DOCKER=1 makes this a failure)", args...)
		}
		tb.Skipf(format, args...)
	}
	host := os.Getenv("DOCKER_HOST")
	cli, err := docker.NewClient(host)
	if err != nil {
		missing("no Docker client: %v", err)
	}
	tb.Cleanup(func() { cli.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		missing("no Docker engine reachable at %q (DOCKER_HOST): %v", host, err)
	}
	if _, err := cli.ImageInspect(ctx, Image); err != nil {
		missing("the test image %s is missing: build it with scripts/build-test-image.sh: %v", Image, err)
	}
	return cli
}

// Labels returns labels unique to this test, for docker.Config.Labels,
// and registers a check, run when tb ends, that nothing carrying them is
// left in the engine.
func Labels(tb testing.TB, cli docker.Client) map[string]string {
	tb.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	labels := map[string]string{LabelTest: hex.EncodeToString(b)}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		left, err := docker.Leftovers(ctx, cli, labels)
		if err != nil {
			tb.Errorf("listing leftovers: %v", err)
			return
		}
		if len(left) > 0 {
			tb.Errorf("the test left Docker resources behind: %q", left)
			_, _ = docker.RemoveLabelled(ctx, cli, labels)
		}
	})
	return labels
}
