package docker_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/docker"
	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

func TestServices(t *testing.T) {
	t.Parallel()
	env, _ := testJob(t, docker.Config{}, func(s *executor.JobSpec) {
		s.Services = map[string]*executor.ContainerSpec{
			"web": {
				Image:   dockertest.Image,
				Cmd:     []string{"sh", "-c", "echo up > /tmp/index.html && sleep 0.5 && cd /tmp && exec python3 -m http.server 8000"},
				Ports:   []string{"8000"},
				Options: `--health-cmd "python3 -c 'import urllib.request; urllib.request.urlopen(\"http://localhost:8000\")'" --health-interval 200ms --health-retries 50 --init`,
			},
		}
	})
	job, svcs := env.JobContext()
	web, ok := svcs["web"].(map[string]any)
	if !ok {
		t.Fatalf("job.services = %v, want an entry for web", svcs)
	}
	if web["network"] == "" || web["network"] != job["network"] {
		t.Errorf("job.services.web.network = %v, job.container.network = %v, want the same job network", web["network"], job["network"])
	}
	ports, _ := web["ports"].(map[string]any)
	if p, _ := ports["8000"].(string); p == "" || p == "8000" {
		t.Errorf("job.services.web.ports = %v, want 8000 published on some host port", ports)
	}
	var out testkit.LockedBuffer
	code, err := env.Exec(t.Context(), executor.Command{Args: []string{"python3", "-c", `import urllib.request; print(urllib.request.urlopen("http://web:8000/index.html").read().decode().strip())`}}, &out)
	if err != nil || code != 0 || out.String() != "up\n" {
		t.Errorf("reaching the service by its id = %d, %v, %q, want 0, nil, %q", code, err, out.String(), "up\n")
	}
}

func TestServiceFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		svc     executor.ContainerSpec
		timeout time.Duration
		want    []string
	}{
		{
			name: "unhealthy",
			svc:  executor.ContainerSpec{Image: dockertest.Image, Cmd: []string{"sleep", "infinity"}, Options: `--init --health-cmd "echo database down; exit 1" --health-interval 100ms --health-retries 2`},
			want: []string{`service "db" is unhealthy`, "database down"},
		},
		{
			name:    "never healthy within the bound",
			svc:     executor.ContainerSpec{Image: dockertest.Image, Cmd: []string{"sleep", "infinity"}, Options: `--init --health-cmd "exit 1" --health-interval 10s --health-start-period 1m`},
			timeout: time.Second,
			want:    []string{`service "db" is not healthy after 1s`},
		},
		{
			name: "exits",
			svc:  executor.ContainerSpec{Image: dockertest.Image, Cmd: []string{"sh", "-c", "echo missing config; exit 2"}},
			want: []string{`service "db" exited with code 2`, "missing config"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cli := dockertest.Client(t)
			root := filepath.Join(t.TempDir(), "job")
			spec := executor.JobSpec{
				JobID: "svc", Root: root, Workspace: filepath.Join(root, "w", "r"), Temp: filepath.Join(root, "temp"),
				Container: &executor.ContainerSpec{Image: dockertest.Image},
				Services:  map[string]*executor.ContainerSpec{"db": &tt.svc},
			}
			b := docker.New(cli, docker.Config{Labels: dockertest.Labels(t, cli), HealthTimeout: tt.timeout, Grace: time.Second})
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			env, err := b.Prepare(ctx, spec)
			if err == nil {
				env.Close(ctx)
				t.Fatal("Prepare succeeded, want an error naming the service")
			}
			if !errors.Is(err, docker.ErrUnhealthy) {
				t.Errorf("Prepare error = %v, want ErrUnhealthy", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Prepare error = %v, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestRunnerNetwork(t *testing.T) {
	t.Parallel()
	cli := dockertest.Client(t)
	labels := dockertest.Labels(t, cli)
	name := "anvil-test-net-" + labels[dockertest.LabelTest]
	if _, err := cli.NetworkCreate(t.Context(), name, network.CreateOptions{Labels: labels}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.NetworkRemove(context.Background(), name) })
	root := filepath.Join(t.TempDir(), "job")
	spec := executor.JobSpec{
		JobID: "net", Root: root, Workspace: filepath.Join(root, "w", "r"),
		Container: &executor.ContainerSpec{Image: dockertest.Image},
		Services:  map[string]*executor.ContainerSpec{"peer": {Image: dockertest.Image, Cmd: []string{"sleep", "infinity"}, Options: "--init"}},
	}
	env, err := docker.New(cli, docker.Config{Network: name, Labels: labels, Grace: time.Second}).Prepare(t.Context(), spec)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	job, _ := env.(executor.JobContextProvider).JobContext()
	if job["network"] != name {
		t.Errorf("job.container.network = %v, want the runner's network %s", job["network"], name)
	}
	var out testkit.LockedBuffer
	if code, err := env.Exec(t.Context(), executor.Command{Args: []string{"getent", "hosts", "peer"}}, &out); err != nil || code != 0 {
		t.Errorf("resolving the service on the runner's network = %d, %v (%s)", code, err, out.String())
	}
	if err := env.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := cli.NetworkInspect(t.Context(), name, network.InspectOptions{}); err != nil {
		t.Errorf("the runner's network is gone after the job: %v", err)
	}
}
