package cmd

import (
	"path/filepath"
	"testing"
)

// TestShortLivedCommandsTuneTheCollector checks which commands raise the
// collector's target through Process.SetGCPercent: those that run once and
// exit, unless GOGC is set; never the long-running ones.
func TestShortLivedCommandsTuneTheCollector(t *testing.T) {
	t.Parallel()
	repo := filepath.Join("testdata", "lint", "repo")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []int
	}{
		{name: "lint", args: []string{"lint", "-C", repo}, want: []int{shortLivedGCPercent}},
		{name: "exec -l", args: []string{"exec", "-C", repo, "-l"}, want: []int{shortLivedGCPercent}},
		{name: "policy test", args: []string{"policy", "test", "-C", repo, "-p", "no-such-policy.yaml"}, want: []int{shortLivedGCPercent}},
		{name: "GOGC set by the user wins", args: []string{"lint", "-C", repo}, env: map[string]string{"GOGC": "50"}},
		{name: "version", args: []string{"version"}},
		{name: "help", args: []string{"--help"}},
		{name: "daemon with bad flags", args: []string{"daemon", "--no-such-flag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			proc, _, stderr := testProcess(tt.env)
			var got []int
			proc.SetGCPercent = func(p int) int { got = append(got, p); return 100 }
			Main(t.Context(), proc, tt.args)
			if len(got) != len(tt.want) || (len(got) == 1 && got[0] != tt.want[0]) {
				t.Errorf("anvil %v set the GC percent to %v, want %v (stderr: %s)", tt.args, got, tt.want, stderr)
			}
		})
	}
}
