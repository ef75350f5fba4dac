package cmd

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{name: "no build info", want: "anvil (unknown version)"},
		{name: "source build", info: &debug.BuildInfo{GoVersion: "go1.26.8"}, want: "anvil (devel) go1.26.8"},
		{
			name: "tagged dirty build",
			info: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.1.0"}, Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"},
			}},
			want: "anvil v0.1.0 (0123456789ab+dirty) go1.26.8",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := versionLine(tt.info); got != tt.want {
				t.Errorf("versionLine() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHelpHasExamples(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"exec", "--help"}, {"demo", "--help"}, {"version", "--help"}} {
		proc, stdout, _ := testProcess(nil)
		if code := Main(t.Context(), proc, args); code != ExitOK {
			t.Errorf("anvil %q exited %d", args, code)
		}
		if !strings.Contains(stdout.String(), "Examples:") {
			t.Errorf("anvil %q has no Examples:\n%s", args, stdout)
		}
	}
}
