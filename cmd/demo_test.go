package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/demo"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// TestDemo runs anvil demo end to end: the embedded repository, git, the
// real engine and the host backend.
func TestDemo(t *testing.T) {
	t.Parallel()
	keep := filepath.Join(t.TempDir(), "demo")
	proc, stdout, stderr := testProcess(map[string]string{"PATH": os.Getenv("PATH")})
	if code := Main(t.Context(), proc, []string{"demo", "--keep", keep}); code != ExitOK {
		t.Fatalf("anvil demo exited %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	out := stdout.String()
	for _, want := range []string{
		"[demo/setup] ✓ job success",
		"[demo/report] ✓ job success",
		"The token is ***: masked in every log line.",
		"Hello, poem 0.1.1-",
		"Hello, prose 0.1.1-",
		"The action said 'Hello, poem",
		"ok    samples/poem.txt: 4 20 102",
		"summary: | poem | 4 | 20 | 102 |",
		"[demo] ✓ workflow success",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("anvil demo stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, demo.Token) {
		t.Errorf("anvil demo printed the secret %q unmasked:\n%s", demo.Token, out)
	}
	for _, f := range []string{".git/HEAD", ".forgejo/workflows/demo.yml", ".forgejo/actions/greet/action.yml"} {
		if _, err := os.Stat(filepath.Join(keep, f)); err != nil {
			t.Errorf("anvil demo --keep did not keep %s: %v", f, err)
		}
	}
	if st, err := os.Stat(filepath.Join(keep, "src/textstats.sh")); err != nil || st.Mode()&0o100 == 0 {
		t.Errorf("src/textstats.sh is not executable: %v", err)
	}
}

func TestDemoKeepNeedsEmptyDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "existing.txt", "x")
	proc, _, stderr := testProcess(nil)
	if code := Main(t.Context(), proc, []string{"demo", "--keep", dir}); code != ExitUsage {
		t.Errorf("anvil demo --keep into a non-empty directory exited %d, want %d", code, ExitUsage)
	}
	if !strings.Contains(stderr.String(), "the directory is not empty") {
		t.Errorf("stderr does not say why:\n%s", stderr)
	}
}
