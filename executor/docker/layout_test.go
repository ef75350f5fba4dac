package docker

import (
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor"
)

func TestLayoutPath(t *testing.T) {
	t.Parallel()
	spec := executor.JobSpec{
		Repository: "octo/app",
		Root:       "/jobs/build-1",
		Workspace:  "/jobs/build-1/work/app/app",
		Temp:       "/jobs/build-1/temp",
	}
	tests := []struct {
		name   string
		spec   executor.JobSpec
		parent string
		in     string
		want   string
		wantIn bool
	}{
		{name: "workspace", spec: spec, in: "/jobs/build-1/work/app/app", want: "/workspace/octo/app", wantIn: true},
		{name: "file in the workspace", spec: spec, in: "/jobs/build-1/work/app/app/src/main.go", want: "/workspace/octo/app/src/main.go", wantIn: true},
		{name: "runner workspace is the parent", spec: spec, in: "/jobs/build-1/work/app", want: "/workspace/octo", wantIn: true},
		{name: "temp under the root", spec: spec, in: "/jobs/build-1/temp/x.sh", want: "/anvil/temp/x.sh", wantIn: true},
		{name: "root itself", spec: spec, in: "/jobs/build-1", want: "/anvil", wantIn: true},
		{name: "sibling with a common prefix", spec: spec, in: "/jobs/build-10/x", want: "/jobs/build-10/x"},
		{name: "outside", spec: spec, in: "/etc/passwd", want: "/etc/passwd"},
		{name: "relative", spec: spec, in: "rel/x", want: "rel/x"},
		{name: "workdir parent", spec: spec, parent: "/src/", in: "/jobs/build-1/work/app/app", want: "/src/octo/app", wantIn: true},
		{
			name: "no repository: the workspace's name",
			spec: executor.JobSpec{Root: "/r", Workspace: "/r/work/ws/ws"},
			in:   "/r/work/ws/ws/a", want: "/workspace/ws/a", wantIn: true,
		},
		{
			name: "repository not matching the directory name",
			spec: executor.JobSpec{Repository: "o/other", Root: "/r", Workspace: "/r/w/x"},
			in:   "/r/w/x/f", want: "/workspace/o/other/f", wantIn: true,
		},
		{
			name: "temp outside the root",
			spec: executor.JobSpec{Root: "/r", Workspace: "/r/w/x", Temp: "/tmp/t"},
			in:   "/tmp/t/s.sh", want: "/anvil/.temp/s.sh", wantIn: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, err := newLayout(tt.spec, tt.parent)
			if err != nil {
				t.Fatalf("newLayout: %v", err)
			}
			got, in := l.path(tt.in)
			if got != tt.want || in != tt.wantIn {
				t.Errorf("path(%q) = %q, %v, want %q, %v", tt.in, got, in, tt.want, tt.wantIn)
			}
			if in {
				if back, ok := l.hostPath(got); !ok || back != tt.in {
					t.Errorf("hostPath(%q) = %q, %v, want %q", got, back, ok, tt.in)
				}
			}
		})
	}
}

func TestLayoutErrors(t *testing.T) {
	t.Parallel()
	spec := executor.JobSpec{Root: "/r", Workspace: "/r/w/x"}
	tests := []struct {
		name   string
		spec   executor.JobSpec
		parent string
		want   string
	}{
		{name: "relative parent", spec: spec, parent: "workspace", want: "must be an absolute directory"},
		{name: "root as parent", spec: spec, parent: "/", want: "must be an absolute directory"},
		{name: "parent overlapping the job root", spec: spec, parent: "/anvil/ws", want: "does not overlap /anvil"},
		{name: "no root", spec: executor.JobSpec{}, want: "is not an absolute directory"},
	}
	for _, tt := range tests {
		if _, err := newLayout(tt.spec, tt.parent); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: newLayout error = %v, want %q", tt.name, err, tt.want)
		}
	}
}
