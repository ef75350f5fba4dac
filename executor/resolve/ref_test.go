package resolve

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRef(t *testing.T) {
	t.Parallel()
	sha := strings.Repeat("ab", 20)
	tests := []struct {
		uses    string
		want    Ref
		wantErr string
	}{
		{uses: "actions/setup-node@v4", want: Ref{Owner: "actions", Repo: "setup-node", Version: "v4"}},
		{uses: "acme/tools/lint/go@main", want: Ref{Owner: "acme", Repo: "tools", Path: "lint/go", Version: "main"}},
		{uses: "acme/tools@feature/x", want: Ref{Owner: "acme", Repo: "tools", Version: "feature/x"}},
		{uses: "acme/tools@" + sha, want: Ref{Owner: "acme", Repo: "tools", Version: sha}},
		{uses: "https://code.forgejo.org/actions/checkout@v4", want: Ref{Server: "https://code.forgejo.org", Owner: "actions", Repo: "checkout", Version: "v4"}},
		{uses: "http://127.0.0.1:3000/acme/tools.git/sub@v1", want: Ref{Server: "http://127.0.0.1:3000", Owner: "acme", Repo: "tools", Path: "sub", Version: "v1"}},
		{uses: "acme/ci/.forgejo/workflows/build.yml@v2", want: Ref{Owner: "acme", Repo: "ci", Path: ".forgejo/workflows/build.yml", Version: "v2"}},
		{uses: "https://forge.example/acme/ci/.github/workflows/x.yaml@refs/heads/main", want: Ref{Server: "https://forge.example", Owner: "acme", Repo: "ci", Path: ".github/workflows/x.yaml", Version: "refs/heads/main"}},
		{uses: "acme/tools", wantErr: "has no @ref"},
		{uses: "acme/tools@", wantErr: "no valid ref"},
		{uses: "acme@v1", wantErr: "does not name owner/repo"},
		{uses: "acme/tools/../../etc@v1", wantErr: ". or .. path element"},
		{uses: "acme/tools@v1..v2", wantErr: "no valid ref"},
		{uses: "https://user:pw@forge.example/acme/tools@v1", wantErr: "not a valid URL"},
		{uses: "acme/to ols@v1", wantErr: "invalid owner or repository name"},
		{uses: "./local@v1", wantErr: "invalid owner or repository name"},
	}
	for _, tt := range tests {
		t.Run(tt.uses, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRef(tt.uses)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseRef(%q) error = %v, want one containing %q", tt.uses, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseRef(%q): %v", tt.uses, err)
			}
			tt.want.Uses = tt.uses
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("ParseRef(%q) (-got +want):\n%s", tt.uses, diff)
			}
		})
	}
}

func TestRefString(t *testing.T) {
	t.Parallel()
	r, err := ParseRef("https://forge.example/acme/tools/sub@v1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.String(), "acme/tools/sub@v1"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if r.PinnedSHA() {
		t.Errorf("PinnedSHA() = true for v1")
	}
}

func TestUnderURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		u, base string
		want    bool
	}{
		{"https://forge.example/acme/x", "https://forge.example", true},
		{"https://forge.example", "https://forge.example/", true},
		{"https://forge.example.evil/acme/x", "https://forge.example", false},
		{"https://forge.example:8443/acme/x", "https://forge.example", false},
		{"http://forge.example/acme/x", "https://forge.example", false},
		{"https://forge.example/acme/x", "", false},
	}
	for _, tt := range tests {
		if got := underURL(tt.u, tt.base); got != tt.want {
			t.Errorf("underURL(%q, %q) = %v, want %v", tt.u, tt.base, got, tt.want)
		}
	}
}

func TestWithGitConfig(t *testing.T) {
	t.Parallel()
	got := withGitConfig([]string{"PATH=/bin", "GIT_CONFIG_COUNT=2", "GIT_CONFIG_KEY_0=a.b", "GIT_CONFIG_VALUE_0=c"}, "http.x.extraHeader", "v")
	want := []string{"PATH=/bin", "GIT_CONFIG_KEY_0=a.b", "GIT_CONFIG_VALUE_0=c", "GIT_CONFIG_COUNT=3", "GIT_CONFIG_KEY_2=http.x.extraHeader", "GIT_CONFIG_VALUE_2=v"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("withGitConfig (-got +want):\n%s", diff)
	}
}

func TestCacheKey(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"https://code.forgejo.org/actions/checkout": "code.forgejo.org/actions/checkout",
		"http://127.0.0.1:3000/acme/tools":          "127.0.0.1_3000/acme/tools",
		"file:///srv/mirror/acme/tools":             "file/srv/mirror/acme/tools",
		"https://forge.example/../../x/y":           "forge.example/x/y",
	}
	for in, want := range tests {
		if got := cacheKey(in); got != want {
			t.Errorf("cacheKey(%q) = %q, want %q", in, got, want)
		}
	}
}
