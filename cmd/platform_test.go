package cmd

import (
	"strings"
	"testing"
)

func TestPlatforms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		flags     []string
		runsOn    []string
		wantParse string
		wantCheck string
		wantNote  bool
	}{
		{name: "no -P runs everything on the host", runsOn: []string{"windows-latest"}, wantNote: true},
		{name: "mapped labels run", flags: []string{"ubuntu-latest=host", "self-hosted=host"}, runsOn: []string{"self-hosted", "ubuntu-latest"}},
		{name: "unmapped label names the flag to add", flags: []string{"ubuntu-latest=host"}, runsOn: []string{"ubuntu-latest", "gpu"}, wantCheck: `runs-on label "gpu" is not mapped (mapped: ubuntu-latest); add -P gpu=host`},
		{name: "no labels with -P", flags: []string{"a=host"}, wantCheck: "the job has no runs-on labels"},
		{name: "docker waits for the Docker executor", flags: []string{"ubuntu-latest=docker://node:20"}, wantParse: "docker://IMAGE comes with the Docker executor"},
		{name: "missing target", flags: []string{"ubuntu-latest"}, wantParse: "write it as LABEL=host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := parsePlatforms(tt.flags)
			if tt.wantParse != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantParse) {
					t.Fatalf("parsePlatforms(%q) error = %v, want it to contain %q", tt.flags, err, tt.wantParse)
				}
				if code := reportError(Process{Stderr: &strings.Builder{}}, err); code != ExitUsage {
					t.Errorf("parsePlatforms error exit status = %d, want %d", code, ExitUsage)
				}
				return
			}
			if err != nil {
				t.Fatalf("parsePlatforms(%q) error = %v", tt.flags, err)
			}
			host := &fakeBackend{}
			b, _, err := p.backendFor(host)(tt.runsOn)
			switch {
			case tt.wantCheck == "" && err != nil:
				t.Errorf("backendFor(%q) error = %v", tt.runsOn, err)
			case tt.wantCheck == "" && b != host:
				t.Errorf("backendFor(%q) = %v, want the host backend", tt.runsOn, b)
			case tt.wantCheck != "" && (err == nil || !strings.Contains(err.Error(), tt.wantCheck)):
				t.Errorf("backendFor(%q) error = %v, want it to contain %q", tt.runsOn, err, tt.wantCheck)
			}
			if got := p.note() != ""; got != tt.wantNote {
				t.Errorf("note() = %q, want a note: %v", p.note(), tt.wantNote)
			}
		})
	}
}
