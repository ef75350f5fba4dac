package resolve_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor/resolve"
	"codeberg.org/anvil-ci/anvil/executor/resolve/gittest"
)

// fixture is a git server with the test repositories:
//
//	acme/composite  testdata/repos/composite: v1 (annotated tag) -> VERSION v1;
//	                main and v2 (lightweight tag) -> v2; branch dev -> dev;
//	                tag "both" at v1 and branch "both" at dev
//	acme/node       testdata/repos/node, tag v1
//	acme/prepost    testdata/repos/prepost, tag v1
//	acme/tools      composite under greet/, node under say/, tag v1
//	acme/workflows  testdata/repos/workflows, tag v1
//	acme/secret     private: composite, tag v1
type fixture struct {
	srv *gittest.Server
	// sha maps "repo@version" (repo without owner) to its commit.
	sha map[string]string
}

func newFixture(t *testing.T, opts gittest.Options) *fixture {
	t.Helper()
	srv := gittest.NewServer(t, opts)
	f := &fixture{srv: srv, sha: map[string]string{}}
	repos := filepath.Join("testdata", "repos")

	c := srv.NewRepo(t, "acme/composite", false)
	f.sha["composite@v1"] = c.CommitDir(t, "main", filepath.Join(repos, "composite"), "", "v1")
	c.Tag(t, "v1", "main")
	c.Tag(t, "both", "main")
	f.sha["composite@v2"] = c.Commit(t, "main", map[string]string{"VERSION": "v2\n"}, "v2")
	f.sha["composite@main"] = f.sha["composite@v2"]
	c.LightweightTag(t, "v2", "main")
	f.sha["composite@dev"] = c.Commit(t, "dev", map[string]string{"VERSION": "dev\n"}, "dev")
	f.sha["composite@both"] = f.sha["composite@v1"]
	f.sha["composite@branch-both"] = c.Commit(t, "both", map[string]string{"VERSION": "branch both\n"}, "branch both")

	for _, name := range []string{"node", "prepost", "workflows"} {
		r := srv.NewRepo(t, "acme/"+name, false)
		f.sha[name+"@v1"] = r.CommitDir(t, "main", filepath.Join(repos, name), "", name)
		r.Tag(t, "v1", "main")
	}
	tools := srv.NewRepo(t, "acme/tools", false)
	tools.CommitDir(t, "main", filepath.Join(repos, "composite"), "greet", "greet")
	f.sha["tools@v1"] = tools.CommitDir(t, "main", filepath.Join(repos, "node"), "say", "say")
	tools.Tag(t, "v1", "main")

	priv := srv.NewRepo(t, "acme/secret", true)
	f.sha["secret@v1"] = priv.CommitDir(t, "main", filepath.Join(repos, "composite"), "", "secret")
	priv.Tag(t, "v1", "main")
	return f
}

// resolver returns a Resolver on a new cache with the fixture's server as
// the source, cfg's other fields as given.
func (f *fixture) resolver(t *testing.T, cfg resolve.Config) *resolve.Resolver {
	t.Helper()
	if cfg.CacheDir == "" {
		cfg.CacheDir = t.TempDir()
	}
	if cfg.Sources == nil {
		cfg.Sources = []string{f.srv.URL}
	}
	r, err := resolve.New(cfg)
	if err != nil {
		t.Fatalf("resolve.New: %v", err)
	}
	return r
}

// readVersion returns the VERSION file of a resolved composite action.
func readVersion(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "VERSION"))
	if err != nil {
		t.Fatalf("reading VERSION of the resolved action: %v", err)
	}
	return strings.TrimSpace(string(data))
}

// resolveAction is ResolveAction with the test's context.
func resolveAction(t *testing.T, r *resolve.Resolver, uses string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	return r.ResolveAction(ctx, uses)
}
