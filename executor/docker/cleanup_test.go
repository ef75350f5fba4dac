package docker_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/docker"
	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
)

func TestCleanup(t *testing.T) {
	t.Parallel()
	cli := dockertest.Client(t)
	labels := dockertest.Labels(t, cli)
	test := labels[dockertest.LabelTest]
	host, _ := os.Hostname()
	owners := map[string]string{
		"crashed":   host + "/999999999", // no such process
		"elsewhere": "another-host/1",
		"alive":     fmt.Sprintf("%s/%d", host, os.Getpid()),
	}
	for name, owner := range owners {
		l := map[string]string{docker.LabelManaged: "true", docker.LabelOwner: owner, dockertest.LabelTest: test}
		resName := "anvil-cleanup-" + test + "-" + name
		if _, err := cli.ContainerCreate(t.Context(), &container.Config{Image: dockertest.Image, Labels: l}, nil, nil, nil, resName); err != nil {
			t.Fatal(err)
		}
		if _, err := cli.NetworkCreate(t.Context(), resName, network.CreateOptions{Labels: l}); err != nil {
			t.Fatal(err)
		}
		if _, err := cli.VolumeCreate(t.Context(), volume.CreateOptions{Name: resName, Labels: l}); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := docker.Cleanup(t.Context(), cli)
	if err != nil {
		t.Fatalf("Cleanup: %v", err)
	}
	if removed.Containers < 2 || removed.Networks < 2 || removed.Volumes < 2 {
		t.Errorf("Cleanup removed %+v, want at least the 2 containers, networks and volumes of dead owners", removed)
	}
	left, err := docker.Leftovers(t.Context(), cli, labels)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"container anvil-cleanup-" + test + "-alive", "network anvil-cleanup-" + test + "-alive", "volume anvil-cleanup-" + test + "-alive"}
	if !slices.Equal(left, want) {
		t.Errorf("after Cleanup left %q, want only the live owner's %q", left, want)
	}
	if _, err := docker.RemoveLabelled(t.Context(), cli, labels); err != nil {
		t.Fatalf("RemoveLabelled: %v", err)
	}
}

func TestPrepareFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*executor.JobSpec)
		want string
	}{
		{name: "no image", edit: func(s *executor.JobSpec) { s.Container = nil }, want: "has no container image"},
		{name: "bad options", edit: func(s *executor.JobSpec) { s.Container.Options = "--network host" }, want: "unknown flag: --network"},
		{name: "host path", edit: func(s *executor.JobSpec) { s.Container.Volumes = []string{"/etc:/etc2"} }, want: "valid_volumes"},
		{
			// The service and its volume and the network exist by the
			// time the job container fails.
			name: "job container fails after the services started",
			edit: func(s *executor.JobSpec) {
				s.Services = map[string]*executor.ContainerSpec{"svc": {Image: dockertest.Image, Cmd: []string{"sleep", "infinity"}, Volumes: []string{"data:/data"}, Options: "--init"}}
				s.Container.Options = "--tmpfs relative-path"
			},
			want: "creating the job container",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cli := dockertest.Client(t)
			root := filepath.Join(t.TempDir(), "job")
			spec := executor.JobSpec{JobID: "fail", Root: root, Workspace: filepath.Join(root, "w", "r"), Container: &executor.ContainerSpec{Image: dockertest.Image}}
			tt.edit(&spec)
			env, err := docker.New(cli, docker.Config{Labels: dockertest.Labels(t, cli)}).Prepare(t.Context(), spec)
			if err == nil {
				env.Close(t.Context())
				t.Fatalf("Prepare succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Prepare error = %v, want one containing %q", err, tt.want)
			}
			// dockertest.Labels checks that nothing is left.
		})
	}
}
