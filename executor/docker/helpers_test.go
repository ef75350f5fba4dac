package docker_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/docker"
	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
)

// testJob prepares a job environment in the test image with cfg; edit may
// change the spec first. The environment is closed when t ends.
func testJob(t *testing.T, cfg docker.Config, edit func(*executor.JobSpec)) (*docker.Environment, executor.JobSpec) {
	t.Helper()
	cli := dockertest.Client(t)
	cfg.Labels = dockertest.Labels(t, cli)
	if cfg.Grace == 0 {
		cfg.Grace = 2 * time.Second
	}
	root := filepath.Join(t.TempDir(), "job")
	spec := executor.JobSpec{
		JobID:      "test-1",
		Repository: "anvil/demo",
		Root:       root,
		Workspace:  filepath.Join(root, "work", "demo", "demo"),
		Temp:       filepath.Join(root, "temp"),
		BinDir:     filepath.Join(root, "bin"),
		Labels:     map[string]string{"anvil.job": "test-1"},
		Container:  &executor.ContainerSpec{Image: dockertest.Image},
	}
	if edit != nil {
		edit(&spec)
	}
	env, err := docker.New(cli, cfg).Prepare(t.Context(), spec)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := env.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return env.(*docker.Environment), spec
}
