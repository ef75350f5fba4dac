package localrun

import (
	"errors"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/executortest"
)

func TestPlatforms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		flags     []string
		runsOn    []string
		wantParse string
		wantCheck string
		// wantImage is the docker:// image the job gets; "" means host.
		wantImage string
		// wantSkip is set when the error must make the engine skip the
		// job (executor.ErrNoPlatform) rather than fail it.
		wantSkip bool
		wantNote bool
	}{
		{name: "no -P runs everything on the host", runsOn: []string{"windows-latest"}, wantNote: true},
		{name: "mapped labels run", flags: []string{"ubuntu-latest=host", "self-hosted=host"}, runsOn: []string{"self-hosted", "ubuntu-latest"}},
		{name: "one mapped label is enough, as in act", flags: []string{"ubuntu-latest=host"}, runsOn: []string{"ubuntu-latest", "gpu"}},
		{name: "labels match without regard to case", flags: []string{"Ubuntu-Latest=docker://img:1"}, runsOn: []string{"UBUNTU-latest"}, wantImage: "img:1"},
		{name: "act's -self-hosted is the host", flags: []string{"ubuntu-22.04=-self-hosted"}, runsOn: []string{"ubuntu-22.04"}},
		{name: "no mapped label skips and names the flag to add", flags: []string{"ubuntu-latest=host"}, runsOn: []string{"gpu", "arm64"}, wantSkip: true,
			wantCheck: `no runs-on label of the job is mapped, so it is skipped: runs-on "gpu", "arm64" (mapped: ubuntu-latest); add -P gpu=host to run it on this host, or -P gpu=docker://IMAGE to run it in a container`},
		{name: "no labels with -P", flags: []string{"a=host"}, wantCheck: "the job has no runs-on labels"},
		{name: "docker label", flags: []string{"ubuntu-latest=docker://node:20-bookworm"}, runsOn: []string{"ubuntu-latest"}, wantImage: "node:20-bookworm"},
		{name: "docker wins over host labels", flags: []string{"self-hosted=host", "ubuntu-latest=docker://img:1"}, runsOn: []string{"self-hosted", "ubuntu-latest"}, wantImage: "img:1"},
		{name: "two images conflict", flags: []string{"a=docker://one", "b=docker://two"}, runsOn: []string{"a", "b"}, wantCheck: "map to different images"},
		{name: "docker without image", flags: []string{"ubuntu-latest=docker://"}, wantParse: "name the image"},
		{name: "unknown target", flags: []string{"ubuntu-latest=vm"}, wantParse: "must be host or docker://IMAGE"},
		{name: "missing target", flags: []string{"ubuntu-latest"}, wantParse: "write it as LABEL=host or LABEL=docker://IMAGE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ParsePlatforms(tt.flags)
			if tt.wantParse != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantParse) {
					t.Fatalf("ParsePlatforms(%q) error = %v, want it to contain %q", tt.flags, err, tt.wantParse)
				}
				if ue := (*UsageError)(nil); !errors.As(err, &ue) {
					t.Errorf("ParsePlatforms error %v is no UsageError", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePlatforms(%q) error = %v", tt.flags, err)
			}
			host, containers := executortest.New(t, executortest.Config{}), executortest.New(t, executortest.Config{})
			asked := false
			docker := func() (executor.Backend, error) { asked = true; return containers, nil }
			b, hints, err := p.BackendFor(host, docker)(tt.runsOn)
			switch {
			case tt.wantCheck != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantCheck) {
					t.Errorf("BackendFor(%q) error = %v, want it to contain %q", tt.runsOn, err, tt.wantCheck)
				}
				if got := errors.Is(err, executor.ErrNoPlatform); got != tt.wantSkip {
					t.Errorf("BackendFor(%q) error = %v: skips the job = %v, want %v", tt.runsOn, err, got, tt.wantSkip)
				}
			case err != nil:
				t.Errorf("BackendFor(%q) error = %v", tt.runsOn, err)
			case tt.wantImage == "" && (b != host || asked):
				t.Errorf("BackendFor(%q) = %v (docker asked: %v), want the host backend", tt.runsOn, b, asked)
			case tt.wantImage != "" && (b != containers || hints.Image != tt.wantImage):
				t.Errorf("BackendFor(%q) = %v, %+v, want the docker backend with image %s", tt.runsOn, b, hints, tt.wantImage)
			}
			if got := p.Note() != ""; got != tt.wantNote {
				t.Errorf("Note() = %q, want a note: %v", p.Note(), tt.wantNote)
			}
		})
	}
}

func TestPlatformsDockerUnavailable(t *testing.T) {
	t.Parallel()
	p, err := ParsePlatforms([]string{"ubuntu-latest=docker://img"})
	if err != nil {
		t.Fatal(err)
	}
	down := errors.New("no Docker engine reachable at unix:///nowhere")
	_, _, err = p.BackendFor(executortest.New(t, executortest.Config{}), func() (executor.Backend, error) { return nil, down })([]string{"ubuntu-latest"})
	if !errors.Is(err, down) {
		t.Errorf("BackendFor error = %v, want the Docker connection error", err)
	}
}
