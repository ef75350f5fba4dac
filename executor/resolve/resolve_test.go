package resolve_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor/resolve"
	"codeberg.org/anvil-ci/anvil/executor/resolve/gittest"
)

// TestResolveAction resolves tags, branches and commits in every
// reference form against the git server, and checks what it gets.
func TestResolveAction(t *testing.T) {
	t.Parallel()
	f := newFixture(t, gittest.Options{})
	tests := []struct {
		name    string
		uses    string
		commit  string // key in f.sha
		version string // VERSION in the tree, "" when it has none
		subdir  string // the action's directory inside the commit
	}{
		{name: "annotated tag", uses: "acme/composite@v1", commit: "composite@v1", version: "v1"},
		{name: "lightweight tag", uses: "acme/composite@v2", commit: "composite@v2", version: "v2"},
		{name: "branch", uses: "acme/composite@dev", commit: "composite@dev", version: "dev"},
		{name: "default branch", uses: "acme/composite@main", commit: "composite@main", version: "v2"},
		{name: "full ref name", uses: "acme/composite@refs/heads/dev", commit: "composite@dev", version: "dev"},
		{name: "a tag wins over a branch", uses: "acme/composite@both", commit: "composite@both", version: "v1"},
		{name: "pinned commit", uses: "acme/composite@" + f.sha["composite@v1"], commit: "composite@v1", version: "v1"},
		{name: "pinned commit off any tag", uses: "acme/composite@" + f.sha["composite@dev"], commit: "composite@dev", version: "dev"},
		{name: "URL form", uses: f.srv.URL + "/acme/composite@v1", commit: "composite@v1", version: "v1"},
		{name: "URL form with .git", uses: f.srv.URL + "/acme/composite.git@v2", commit: "composite@v2", version: "v2"},
		{name: "path in a repository", uses: "acme/tools/greet@v1", commit: "tools@v1", version: "v1", subdir: "greet"},
		{name: "nested path, URL form", uses: f.srv.URL + "/acme/tools/say@v1", commit: "tools@v1", subdir: "say"},
	}
	cache := t.TempDir()
	r := f.resolver(t, resolve.Config{CacheDir: cache})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, err := resolveAction(t, r, tt.uses)
			if err != nil {
				t.Fatalf("ResolveAction(%s): %v", tt.uses, err)
			}
			want := filepath.Join(cache, "commits", f.sha[tt.commit], tt.subdir)
			if dir != want {
				t.Errorf("ResolveAction(%s) = %s, want %s", tt.uses, dir, want)
			}
			if tt.version != "" {
				if got := readVersion(t, dir); got != tt.version {
					t.Errorf("ResolveAction(%s) has VERSION %q, want %q", tt.uses, got, tt.version)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "action.yml")); err != nil {
				t.Errorf("ResolveAction(%s): %v", tt.uses, err)
			}
			if _, err := os.Stat(filepath.Join(cache, "commits", f.sha[tt.commit], ".git")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the cached tree of %s keeps .git (stat: %v)", tt.uses, err)
			}
		})
	}
}

// TestResolveErrors checks that each failure is classified and that its
// message names the action, the URL and what to do, without the token.
func TestResolveErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, gittest.Options{})
	down := gittest.NewServer(t, gittest.Options{})
	down.NewRepo(t, "acme/composite", false)
	down.SetDown(true)
	missingSHA := strings.Repeat("0123456789", 4)
	tests := []struct {
		name     string
		cfg      resolve.Config
		uses     string
		workflow bool
		wantErr  error
		wantMsg  []string
	}{
		{name: "unknown repository", uses: "acme/missing@v1", wantErr: resolve.ErrNotFound,
			wantMsg: []string{"resolving acme/missing@v1 from " + f.srv.URL + "/acme/missing", "not found", "--action-mirror", "--local-repository acme/missing@v1=DIR"}},
		{name: "unknown at every source", uses: "acme/missing@v1", wantErr: resolve.ErrNotFound,
			cfg:     resolve.Config{Sources: []string{f.srv.URL + "/mirror", f.srv.URL}},
			wantMsg: []string{"resolving acme/missing@v1 (tried " + f.srv.URL + "/mirror/acme/missing, " + f.srv.URL + "/acme/missing)"}},
		{name: "unknown tag", uses: "acme/composite@v9", wantErr: resolve.ErrNotFound,
			wantMsg: []string{`no tag or branch "v9"`, "pin an existing tag or a full commit SHA"}},
		{name: "abbreviated commit", uses: "acme/composite@abc1234", wantErr: resolve.ErrInvalid,
			wantMsg: []string{"abbreviated commit id", "full 40-character SHA"}},
		{name: "commit not in the repository", uses: "acme/composite@" + missingSHA, wantErr: resolve.ErrNotFound,
			wantMsg: []string{"commit " + missingSHA + " is not in the repository"}},
		{name: "no action at the path", uses: "acme/tools/nope@v1", wantErr: resolve.ErrInvalid,
			wantMsg: []string{"no action.yml or action.yaml in nope"}},
		{name: "workflow that is not there", uses: "acme/workflows/.forgejo/workflows/nope.yml@v1", workflow: true, wantErr: resolve.ErrNotFound,
			wantMsg: []string{"no file .forgejo/workflows/nope.yml"}},
		{name: "workflow reference to a directory", uses: "acme/workflows/.forgejo@v1", workflow: true, wantErr: resolve.ErrInvalid,
			wantMsg: []string{"does not name a workflow file"}},
		{name: "private repository without a token", uses: "acme/secret@v1", wantErr: resolve.ErrAuth,
			wantMsg: []string{"check the token"}},
		{name: "private repository with a wrong token", uses: "acme/secret@v1", wantErr: resolve.ErrAuth,
			cfg:     resolve.Config{Token: "wrong-token-value", TokenURL: f.srv.URL},
			wantMsg: []string{"check the token"}},
		{name: "token for another forge", uses: "acme/secret@v1", wantErr: resolve.ErrAuth,
			cfg:     resolve.Config{Token: f.srv.Token, TokenURL: "http://127.0.0.2:1"},
			wantMsg: []string{"check the token"}},
		{name: "forge down", uses: down.URL + "/acme/composite@v1", wantErr: resolve.ErrUnreachable,
			wantMsg: []string{"from " + down.URL + "/acme/composite", "check the network", "--offline"}},
		{name: "nothing listening", uses: "http://127.0.0.1:1/acme/composite@v1", wantErr: resolve.ErrUnreachable,
			wantMsg: []string{"from http://127.0.0.1:1/acme/composite"}},
		{name: "bad reference", uses: "acme@v1", wantErr: resolve.ErrInvalid, wantMsg: []string{"does not name owner/repo"}},
		{name: "local repository that is not a directory", uses: "acme/composite@v1", wantErr: resolve.ErrInvalid,
			cfg: resolve.Config{Local: map[string]string{"acme/composite@v1": "/nonexistent/anvil"}}, wantMsg: []string{"--local-repository"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.resolver(t, tt.cfg)
			var err error
			if tt.workflow {
				_, err = r.ResolveWorkflow(t.Context(), tt.uses)
			} else {
				_, err = resolveAction(t, r, tt.uses)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("resolving %s: error %v, want %v", tt.uses, err, tt.wantErr)
			}
			var re *resolve.Error
			if !errors.As(err, &re) {
				t.Errorf("resolving %s: error %T is not a *resolve.Error", tt.uses, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.uses) {
				t.Errorf("error %q does not name %s", msg, tt.uses)
			}
			for _, w := range tt.wantMsg {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			for _, secret := range []string{f.srv.Token, "wrong-token-value"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q contains a token", msg)
				}
			}
		})
	}
}

// TestTokenGoesOnlyToItsForge resolves from two sources and a private
// repository: the token reaches the forge it belongs to and no other.
func TestTokenGoesOnlyToItsForge(t *testing.T) {
	t.Parallel()
	forge := newFixture(t, gittest.Options{Token: "forge-job-token"})
	other := gittest.NewServer(t, gittest.Options{Token: "other-token"})
	o := other.NewRepo(t, "acme/only-other", false)
	o.Commit(t, "main", map[string]string{"action.yml": "name: x\nruns:\n  using: composite\n  steps: []\n"}, "x")
	o.Tag(t, "v1", "main")

	r := forge.resolver(t, resolve.Config{
		Sources:  []string{forge.srv.URL, other.URL},
		Token:    forge.srv.Token,
		TokenURL: forge.srv.URL,
	})
	for _, uses := range []string{"acme/secret@v1", "acme/only-other@v1", other.URL + "/acme/only-other@v1"} {
		if _, err := resolveAction(t, r, uses); err != nil {
			t.Fatalf("ResolveAction(%s): %v", uses, err)
		}
	}
	if st := forge.srv.Stats("acme/secret"); st.Authorized == 0 || st.Fetches != 1 {
		t.Errorf("the forge's private repository saw %+v, want authorized requests and 1 fetch", st)
	}
	if st := other.Stats("acme/only-other"); st.Authorized != 0 {
		t.Errorf("another server received the token: %+v", st)
	}
	// The forge was asked first and does not have the repository.
	if st := forge.srv.Stats("acme/only-other"); st.Fetches != 0 {
		t.Errorf("the forge fetched a repository it does not have: %+v", st)
	}
}

// TestMirrorAndLocalReplaceSources: a mirror replaces every source, URL
// forms included; --local-repository directories are used as they are.
func TestMirrorAndLocalReplaceSources(t *testing.T) {
	t.Parallel()
	f := newFixture(t, gittest.Options{})
	local := t.TempDir()
	if err := os.WriteFile(filepath.Join(local, "action.yml"), []byte("name: local\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(local, "VERSION"), []byte("local\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cfg     resolve.Config
		uses    string
		version string
		wantDir string
	}{
		{name: "mirror over the default source", cfg: resolve.Config{Sources: []string{"http://127.0.0.1:1"}, Mirror: f.srv.URL},
			uses: "acme/composite@v1", version: "v1"},
		{name: "mirror over a URL-form server", cfg: resolve.Config{Mirror: f.srv.URL + "/"},
			uses: "https://forge.invalid/acme/composite@dev", version: "dev"},
		{name: "file:// mirror", cfg: resolve.Config{Sources: []string{"http://127.0.0.1:1"}, Mirror: "file://" + f.srv.Root()},
			uses: "acme/composite@v2", version: "v2"},
		{name: "local repository", cfg: resolve.Config{Local: map[string]string{"acme/composite@v1": local}},
			uses: "acme/composite@v1", version: "local", wantDir: local},
		{name: "local repository, any server", cfg: resolve.Config{Local: map[string]string{"acme/composite@v1": local}},
			uses: "https://forge.invalid/acme/composite@v1", version: "local", wantDir: local},
		{name: "local repository for one server", cfg: resolve.Config{Local: map[string]string{"https://forge.invalid/acme/composite@v1": local}},
			uses: "https://forge.invalid/acme/composite@v1", version: "local", wantDir: local},
		{name: "local repository for another server", cfg: resolve.Config{Local: map[string]string{"https://forge.invalid/acme/composite@v1": local}},
			uses: "acme/composite@v1", version: "v1"},
		{name: "local repository for another version", cfg: resolve.Config{Local: map[string]string{"acme/composite@v2": local}},
			uses: "acme/composite@v1", version: "v1"},
		{name: "local repository wins offline", cfg: resolve.Config{Offline: true, Local: map[string]string{"acme/composite@v1": local}},
			uses: "acme/composite@v1", version: "local", wantDir: local},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.resolver(t, tt.cfg)
			dir, err := resolveAction(t, r, tt.uses)
			if err != nil {
				t.Fatalf("ResolveAction(%s): %v", tt.uses, err)
			}
			if got := readVersion(t, dir); got != tt.version {
				t.Errorf("ResolveAction(%s) has VERSION %q, want %q", tt.uses, got, tt.version)
			}
			if tt.wantDir != "" && dir != tt.wantDir {
				t.Errorf("ResolveAction(%s) = %s, want %s", tt.uses, dir, tt.wantDir)
			}
		})
	}
}

// TestFetchWithoutFetchBySHA: a server that refuses commit ids in wants
// still serves tags (through the ref) and pinned commits (through a full
// fetch).
func TestFetchWithoutFetchBySHA(t *testing.T) {
	t.Parallel()
	f := newFixture(t, gittest.Options{NoFetchBySHA: true})
	strict := f.srv.NewRepo(t, "acme/strict", false)
	old := strict.Commit(t, "main", map[string]string{"action.yml": "name: strict\n", "VERSION": "old\n"}, "old")
	strict.Commit(t, "main", map[string]string{"VERSION": "new\n"}, "new")
	r := f.resolver(t, resolve.Config{})
	for uses, want := range map[string]string{
		"acme/composite@v1":                        "v1",
		"acme/composite@" + f.sha["composite@dev"]: "dev",
		"acme/composite@dev":                       "dev",
		"acme/strict@" + old:                       "old",
		"acme/strict@main":                         "new",
	} {
		dir, err := resolveAction(t, r, uses)
		if err != nil {
			t.Fatalf("ResolveAction(%s): %v", uses, err)
		}
		if got := readVersion(t, dir); got != want {
			t.Errorf("ResolveAction(%s) has VERSION %q, want %q", uses, got, want)
		}
	}
}

// TestOnePerResolver: a moving branch resolves once per Resolver, so every
// job of a run sees the same commit; a new Resolver sees the new one.
func TestOnePerResolver(t *testing.T) {
	t.Parallel()
	srv := gittest.NewServer(t, gittest.Options{})
	repo := srv.NewRepo(t, "acme/moving", false)
	commit := func(v string) {
		repo.Commit(t, "main", map[string]string{"action.yml": "name: moving\n", "VERSION": v + "\n"}, v)
	}
	commit("first")
	cache := t.TempDir()
	r1, err := resolve.New(resolve.Config{Sources: []string{srv.URL}, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	check := func(r *resolve.Resolver, want string) {
		defer wg.Done()
		dir, err := resolveAction(t, r, "acme/moving@main")
		if err != nil {
			t.Errorf("ResolveAction: %v", err)
			return
		}
		if got := readVersion(t, dir); got != want {
			t.Errorf("acme/moving@main has VERSION %q, want %q", got, want)
		}
	}
	wg.Add(1)
	check(r1, "first")
	commit("second")
	r2, err := resolve.New(resolve.Config{Sources: []string{srv.URL}, CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	wg.Add(2)
	go check(r1, "first")
	go check(r2, "second")
	wg.Wait()
}
