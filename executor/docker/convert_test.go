package docker

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/go-connections/nat"
	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
)

// testSpec is the job spec of the convert tests.
func testSpec() executor.JobSpec {
	return executor.JobSpec{
		JobID:      "build-1",
		Repository: "octo/app",
		Root:       "/jobs/build-1",
		Workspace:  "/jobs/build-1/work/app/app",
		Temp:       "/jobs/build-1/temp",
		BinDir:     "/jobs/build-1/bin",
		SelfBinary: "/usr/local/bin/anvil",
		Labels:     map[string]string{"anvil.job": "build-1"},
	}
}

// TestContainerConfig translates job and service containers and compares
// the Docker API values with testdata/convert/NAME.golden.json.
func TestContainerConfig(t *testing.T) {
	t.Parallel()
	base := Config{Owner: "host/1", Labels: map[string]string{"anvil.task": "42"}}.withDefaults()
	tests := []struct {
		name    string
		cfg     Config
		role    string
		alias   string
		spec    executor.ContainerSpec
		options string
		network string
	}{
		{
			name: "job-minimal", role: roleJob,
			spec: executor.ContainerSpec{Image: "node:20"},
		},
		{
			name: "job-full", role: roleJob, network: "anvil-build-1-net",
			cfg:     Config{ValidVolumes: []string{"/srv/cache/**", "shared-*"}, CPUs: 2, Memory: 1 << 30, DockerHost: "unix:///run/docker.sock"},
			spec:    executor.ContainerSpec{Image: "node:20", Env: map[string]string{"NODE_ENV": "test"}, Ports: []string{"8080:80"}, Volumes: []string{"/srv/cache/npm:/root/.npm", "shared-data:/data:ro", "/scratch", "mine:/mine"}},
			options: `--user 1000 --hostname box -e EXTRA=1 --tmpfs /tmp:size=64m --cpus 1 -m 512m --label org.example=x --entrypoint ignored`,
		},
		{
			name: "job-runner-settings", role: roleJob, network: "ci-net",
			cfg:     Config{Privileged: true, Options: `--add-host forge.example:host-gateway --hostname runner-default -e FROM_RUNNER=1`},
			spec:    executor.ContainerSpec{Image: "docker:dind"},
			options: `--hostname from-job -e FROM_JOB=1 --cap-add SYS_ADMIN`,
		},
		{
			name: "service", role: roleService, alias: "db", network: "anvil-build-1-net",
			spec:    executor.ContainerSpec{Image: "postgres:16", Env: map[string]string{"POSTGRES_PASSWORD": "pw"}, Ports: []string{"5432"}, Cmd: []string{"postgres", "-c", "fsync=off"}},
			options: `--health-cmd "pg_isready -U postgres" --health-interval 1s --health-retries 10 --network-alias database --init`,
		},
		{
			name: "service-no-healthcheck", role: roleService, alias: "cache",
			spec:    executor.ContainerSpec{Image: "redis:7"},
			options: `--no-healthcheck --entrypoint redis-server --expose 6379/udp`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg
			cfg.Owner, cfg.Labels = base.Owner, base.Labels
			cfg = cfg.withDefaults()
			spec := testSpec()
			l, err := newLayout(spec, cfg.WorkdirParent)
			if err != nil {
				t.Fatal(err)
			}
			runnerOpts := ""
			if tt.role == roleJob {
				runnerOpts = cfg.Options
			}
			opts, err := parseOptionsAfter("container", runnerOpts, tt.options)
			if err != nil {
				t.Fatal(err)
			}
			what := "container"
			if tt.role == roleService {
				what = "services." + tt.alias
			}
			vols, err := planVolumes(cfg, "anvil-build-1", map[string][]string{what: append(append([]string{}, tt.spec.Volumes...), opts.Volumes...)})
			if err != nil {
				t.Fatal(err)
			}
			in := containerInput{role: tt.role, alias: tt.alias, spec: &tt.spec, opts: opts, network: tt.network,
				labels: labels(cfg, spec, tt.role), volumes: vols}
			in.mounts = serviceMounts(l)
			if tt.role == roleJob {
				in.mounts = jobMounts(l, spec.SelfBinary, spec.BinDir)
			}
			c, h, n, err := containerConfig(cfg, in)
			if err != nil {
				t.Fatalf("containerConfig: %v", err)
			}
			checkGolden(t, tt.name, map[string]any{"config": c, "host_config": h, "networking": n, "volumes": vols})
		})
	}
}

func TestActionConfig(t *testing.T) {
	t.Parallel()
	cfg := Config{Owner: "host/1", CPUs: 1}.withDefaults()
	spec := testSpec()
	l, _ := newLayout(spec, "")
	a := executor.ContainerAction{
		Entrypoint: "/entrypoint.sh",
		Args:       []string{"a b", "c"},
		Env:        []string{"GITHUB_WORKSPACE=/workspace/octo/app", "HOME=/root", "INPUT_WHO=me", "LANG=C.UTF-8", "PATH=/anvil/bin:/usr/bin", "X=1"},
		Dir:        "/workspace/octo/app",
	}
	c, h, n, err := actionConfig(cfg, spec, a, "anvil-action/greet:abc", jobMounts(l, "", ""), "anvil-build-1-net", map[string]string{"LANG": "C.UTF-8", "PATH": "/usr/bin"})
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "action", map[string]any{"config": c, "host_config": h, "networking": n})
}

// checkGolden compares v as indented JSON with testdata/convert/NAME.golden.json.
func checkGolden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "convert", name+".golden.json"), append(got, '\n'))
}

func TestContainerConfigPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     Config
		spec    executor.ContainerSpec
		options string
		wantErr error
		want    string
	}{
		{name: "privileged refused", options: "--privileged", wantErr: ErrNotAllowed, want: "container.privileged"},
		{name: "cap-add refused", options: "--cap-add NET_ADMIN", wantErr: ErrNotAllowed, want: "--cap-add"},
		{name: "privileged allowed", cfg: Config{Privileged: true}, options: "--privileged"},
		{name: "host path refused", spec: executor.ContainerSpec{Volumes: []string{"/etc:/host-etc"}}, wantErr: ErrNotAllowed, want: "host path /etc is not in container.valid_volumes"},
		{name: "docker socket refused", spec: executor.ContainerSpec{Volumes: []string{"/var/run/docker.sock:/var/run/docker.sock"}}, wantErr: ErrNotAllowed, want: "valid_volumes"},
		{name: "host path allowed", cfg: Config{ValidVolumes: []string{"/data/*"}}, spec: executor.ContainerSpec{Volumes: []string{"/data/x:/x"}}},
		{name: "glob stays in its segment", cfg: Config{ValidVolumes: []string{"/data/*"}}, spec: executor.ContainerSpec{Volumes: []string{"/data/x/y:/x"}}, wantErr: ErrNotAllowed},
		{name: "dot-dot is cleaned before matching", cfg: Config{ValidVolumes: []string{"/data/**"}}, spec: executor.ContainerSpec{Volumes: []string{"/data/../etc:/x"}}, wantErr: ErrNotAllowed},
		{name: "memory above the limit", cfg: Config{Memory: 1 << 30}, options: "--memory 2g", wantErr: ErrNotAllowed, want: "at most 1073741824"},
		{name: "cpus above the limit", cfg: Config{CPUs: 1}, options: "--cpus 2", wantErr: ErrNotAllowed, want: "at most 1"},
		{name: "bad port", spec: executor.ContainerSpec{Ports: []string{"http"}}, wantErr: ErrBadOptions, want: "container.ports"},
		{name: "bad volume", spec: executor.ContainerSpec{Volumes: []string{"a:b:c:d"}}, wantErr: ErrBadOptions, want: "SOURCE:TARGET"},
		{name: "relative target", spec: executor.ContainerSpec{Volumes: []string{"data:relative"}}, wantErr: ErrBadOptions, want: "absolute path"},
		{name: "no-healthcheck with a command", options: "--no-healthcheck --health-cmd true", wantErr: ErrBadOptions, want: "conflicts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := tt.cfg.withDefaults()
			tt.spec.Image = "img"
			opts, err := parseOptions("container", tt.options)
			if err != nil {
				t.Fatal(err)
			}
			vols, err := planVolumes(cfg, "p", map[string][]string{"container": tt.spec.Volumes})
			if err == nil {
				_, _, _, err = containerConfig(cfg, containerInput{role: roleJob, spec: &tt.spec, opts: opts, volumes: vols})
			}
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("containerConfig error = %v, want none", err)
			case tt.wantErr != nil && (!errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("containerConfig error = %v, want %v mentioning %q", err, tt.wantErr, tt.want)
			}
		})
	}
}

func TestPlanVolumes(t *testing.T) {
	t.Parallel()
	cfg := Config{ValidVolumes: []string{"cache-*"}}
	got, err := planVolumes(cfg, "anvil-j", map[string][]string{
		"container":   {"/scratch", "data:/data", "cache-npm:/npm", "/host:/host"},
		"services.db": {"data:/var/lib/data", "/scratch"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"container:/scratch":   "anvil-j-anon-1",
		"data":                 "anvil-j-data",
		"services.db:/scratch": "anvil-j-anon-2",
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("planVolumes (-got +want):\n%s", diff)
	}
}

func TestExecArgs(t *testing.T) {
	t.Parallel()
	args, env := execArgs("/anvil/.docker/exec-1.out", "/anvil/.docker/exec-1.pid", executor.Command{
		Args: []string{"node", "main.js"},
		Env:  []string{"PATH=/usr/bin", "INPUT_WHO-TO-GREET=Anvil", "A_1=x", "1BAD=y"},
		Dir:  "/workspace/o/r",
	})
	wantArgs := []string{"/bin/sh", "-c", execWrapper, "anvil-exec", "/anvil/.docker/exec-1.out", "/anvil/.docker/exec-1.pid", "/workspace/o/r", "node",
		"env", "--", "INPUT_WHO-TO-GREET=Anvil", "1BAD=y", "node", "main.js"}
	if diff := cmp.Diff(args, wantArgs); diff != "" {
		t.Errorf("execArgs args (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(env, []string{"PATH=/usr/bin", "A_1=x"}); diff != "" {
		t.Errorf("execArgs env (-got +want):\n%s", diff)
	}
	plain, _ := execArgs("/o", "/p", executor.Command{Args: []string{"true"}})
	if diff := cmp.Diff(plain[len(plain)-2:], []string{"true", "true"}); diff != "" {
		t.Errorf("execArgs without odd variables ends (-got +want):\n%s", diff)
	}
}

func TestActionEnv(t *testing.T) {
	t.Parallel()
	got := actionEnv([]string{"PATH=/anvil/bin:/usr/bin", "HOME=/root", "LANG=C.UTF-8", "LANG2=x", "GITHUB_ENV=/anvil/files/e"},
		map[string]string{"LANG": "C.UTF-8", "PATH": "/usr/bin"})
	if diff := cmp.Diff(got, []string{"LANG2=x", "GITHUB_ENV=/anvil/files/e"}); diff != "" {
		t.Errorf("actionEnv (-got +want):\n%s", diff)
	}
}

func TestPortsContext(t *testing.T) {
	t.Parallel()
	got := portsContext(nat.PortMap{
		"80/tcp":   {{HostIP: "0.0.0.0", HostPort: "49153"}, {HostIP: "::", HostPort: "49153"}},
		"53/udp":   {{HostPort: "49154"}},
		"9000/tcp": nil,
	})
	want := map[string]any{"80": "49153", "53/udp": "49154"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("portsContext (-got +want):\n%s", diff)
	}
}

func TestLabels(t *testing.T) {
	t.Parallel()
	cfg := Config{Owner: "h/1", Labels: map[string]string{"anvil.task": "7", LabelManaged: "no"}}
	got := labels(cfg, executor.JobSpec{Labels: map[string]string{"anvil.job": "j", LabelOwner: "spoof"}}, roleService)
	want := map[string]string{"anvil.job": "j", "anvil.task": "7", LabelManaged: "true", LabelOwner: "h/1", LabelRole: "service"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("labels (-got +want):\n%s", diff)
	}
}

// TestResourceName checks the Docker object names made from a job's parts:
// every run of characters Docker refuses becomes one "_", and the name
// stops at 200 characters.
func TestResourceName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 250)
	for _, c := range []struct {
		parts []string
		want  string
	}{
		{[]string{"anvil", "build-1", "svc"}, "anvil-build-1-svc"},
		{[]string{"anvil", "my job/é:x", "db"}, "anvil-my_job_x-db"},
		{[]string{"v1.2_ok"}, "v1.2_ok"},
		{[]string{long}, long[:200]},
	} {
		if got := resourceName(c.parts...); got != c.want {
			t.Errorf("resourceName(%q) = %q, want %q", c.parts, got, c.want)
		}
	}
}
