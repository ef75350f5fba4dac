package giteatest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Version is the Gitea version .ci/setup.d/40-gitea.sh builds and Start
// runs.
const Version = "1.25.4"

// setupScript is what builds the binary; messages name it.
const setupScript = ".ci/setup.d/40-gitea.sh"

// Dir returns the directory .ci/setup.d/40-gitea.sh builds Gitea into:
// $ANVIL_GITEA_DIR, else $XDG_CACHE_HOME/anvil/gitea-1.25.4 (on Linux
// ~/.cache/anvil/gitea-1.25.4). It holds the binary (gitea) and the module
// source (src/), whose options/ and templates/ the binary reads at run
// time.
func Dir() (string, error) {
	if d := os.Getenv("ANVIL_GITEA_DIR"); d != "" {
		return d, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the user cache directory (set ANVIL_GITEA_DIR instead): %w", err)
	}
	return filepath.Join(cache, "anvil", "gitea-"+Version), nil
}

// requiredBy names the setting that turns a missing Gitea into a
// failure, or is empty when a missing Gitea skips.
func requiredBy() string {
	for _, kv := range [][2]string{{"ANVIL_REQUIRE_GITEA", "1"}, {"ANVIL_REQUIRE_DOCKER", "1"}, {"CI", "true"}} {
		if os.Getenv(kv[0]) == kv[1] {
			return kv[0] + "=" + kv[1]
		}
	}
	return ""
}

// build is a usable Gitea build: the binary and its static root.
type build struct {
	bin    string
	static string
}

// findBuild returns the Gitea build of Dir, or skips tb (fails it where
// requiredBy says so) with a reason that says how to build it.
func findBuild(tb testing.TB) build {
	tb.Helper()
	missing := func(format string, args ...any) {
		tb.Helper()
		msg := fmt.Sprintf(format, args...) + "; build it with: bash " + setupScript
		if by := requiredBy(); by != "" {
			tb.Fatalf("%s (%s makes this a failure)", msg, by)
		}
		tb.Skip(msg)
	}
	dir, err := Dir()
	if err != nil {
		missing("no Gitea %s: %v", Version, err)
	}
	b := build{bin: filepath.Join(dir, "gitea"), static: filepath.Join(dir, "src")}
	if _, err := os.Stat(b.bin); err != nil {
		missing("no Gitea %s at %s", Version, b.bin)
	}
	for _, sub := range []string{"options", "templates"} {
		if _, err := os.Stat(filepath.Join(b.static, sub)); err != nil {
			missing("the Gitea %s build at %s lacks its source's %s/ directory", Version, dir, sub)
		}
	}
	ctx, cancel := context.WithTimeout(tb.Context(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, b.bin, "--version").Output()
	first, _, _ := strings.Cut(string(out), "\n")
	if err != nil || !strings.HasPrefix(strings.ToLower(first), "gitea version "+Version+" ") {
		missing("%s --version says %q (%v), want Gitea version %s", b.bin, first, err, Version)
	}
	return b
}
