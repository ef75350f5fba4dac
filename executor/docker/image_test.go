package docker_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/image"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/docker"
	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// unreachable is a registry on a loopback port where nothing listens:
// pulls from it fail at once, as they do on a machine without registries.
const unreachable = "127.0.0.1:1"

func TestImagePolicy(t *testing.T) {
	t.Parallel()
	cli := dockertest.Client(t)
	// The test image under a name whose registry is unreachable, to force
	// a pull of an image the engine has.
	local := unreachable + "/anvil-test/bookworm:forced-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
	if err := cli.ImageTag(t.Context(), dockertest.Image, local); err != nil {
		t.Fatalf("tagging the test image: %v", err)
	}
	t.Cleanup(func() { cli.ImageRemove(context.Background(), local, image.RemoveOptions{}) })
	tests := []struct {
		name  string
		image string
		force bool
		want  string
	}{
		{name: "local image is used without pulling", image: local},
		{name: "missing image says to build or load it", image: unreachable + "/anvil-test/missing:latest", want: "cannot be pulled (no registry reachable?)"},
		{name: "forced pull fails without a registry", image: local, force: true, want: "forced with --pull"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := filepath.Join(t.TempDir(), "job")
			spec := executor.JobSpec{JobID: "img", Root: root, Workspace: filepath.Join(root, "w", "r"), Container: &executor.ContainerSpec{Image: tt.image}}
			env, err := docker.New(cli, docker.Config{ForcePull: tt.force, Labels: dockertest.Labels(t, cli)}).Prepare(t.Context(), spec)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Prepare: %v", err)
				}
				env.Close(t.Context())
				return
			}
			if err == nil {
				env.Close(t.Context())
				t.Fatalf("Prepare succeeded, want an error containing %q", tt.want)
			}
			if !errors.Is(err, docker.ErrImageUnavailable) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.image) {
				t.Errorf("Prepare error = %v, want ErrImageUnavailable naming %s and containing %q", err, tt.image, tt.want)
			}
		})
	}
}

func TestContainerAction(t *testing.T) {
	t.Parallel()
	env, spec := testJob(t, docker.Config{}, nil)
	action := filepath.Join(spec.Workspace, "action")
	writeFiles(t, action, map[string]string{
		"Dockerfile":     "FROM " + dockertest.Image + "\nCOPY run.sh /run.sh\nENTRYPOINT [\"/bin/sh\", \"/run.sh\"]\n",
		"run.sh":         "echo \"args: $* in $(pwd) as $INPUT_WHO\"\necho done >> \"$OUT_FILE\"\nexit 5\n",
		"bad/Dockerfile": "FROM " + dockertest.Image + "\nRUN echo building went wrong && exit 3\n",
	})
	outFile := filepath.Join(spec.Root, "files", "out")
	if err := os.MkdirAll(filepath.Dir(outFile), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		action   executor.ContainerAction
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{
			name:     "Dockerfile",
			action:   executor.ContainerAction{Dockerfile: filepath.Join(action, "Dockerfile"), Args: []string{"a", "b c"}, Env: []string{"INPUT_WHO=me", "OUT_FILE=" + env.Path(outFile)}, Dir: env.Path(spec.Workspace)},
			wantCode: 5, wantOut: "args: a b c in /workspace/anvil/demo as me\n",
		},
		{
			name:    "image with entrypoint",
			action:  executor.ContainerAction{Image: dockertest.Image, Entrypoint: "/bin/echo", Args: []string{"hello", "$HOME"}},
			wantOut: "hello $HOME\n",
		},
		{
			name:    "failing build",
			action:  executor.ContainerAction{Dockerfile: filepath.Join(action, "bad", "Dockerfile")},
			wantErr: "building went wrong", wantCode: -1,
		},
		{
			name:    "missing image",
			action:  executor.ContainerAction{Image: unreachable + "/nope:1"},
			wantErr: "cannot be pulled", wantCode: -1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out testkit.LockedBuffer
			code, err := env.RunContainerAction(t.Context(), tt.action, &out)
			if code != tt.wantCode {
				t.Errorf("RunContainerAction exit code = %d, want %d (output %q, error %v)", code, tt.wantCode, out.String(), err)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("RunContainerAction error = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("RunContainerAction error = %v, want one containing %q", err, tt.wantErr)
			}
			if tt.wantOut != "" && out.String() != tt.wantOut {
				t.Errorf("output = %q, want %q", out.String(), tt.wantOut)
			}
		})
	}
	if data, _ := os.ReadFile(outFile); string(data) != "done\n" {
		t.Errorf("the action wrote %q to the job's file, want %q", data, "done\n")
	}
}

// writeFiles writes files (relative path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}
