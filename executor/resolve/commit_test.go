package resolve_test

import (
	"errors"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor/resolve"
	"codeberg.org/anvil-ci/anvil/executor/resolve/gittest"
)

// TestCommit resolves references to commits without fetching them, and
// checks that the action then runs that very commit.
func TestCommit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, gittest.Options{})
	r := f.resolver(t, resolve.Config{Local: map[string]string{"acme/node@v1": t.TempDir()}})
	tests := []struct {
		name string
		uses string
		want string
		err  error
	}{
		{name: "tag", uses: "acme/composite@v1", want: f.sha["composite@v1"]},
		{name: "branch", uses: "acme/composite@dev", want: f.sha["composite@dev"]},
		{name: "URL form with a path", uses: f.srv.URL + "/acme/tools/greet@v1", want: f.sha["tools@v1"]},
		{name: "reusable workflow", uses: "acme/workflows/.forgejo/workflows/called.yml@v1", want: f.sha["workflows@v1"]},
		{name: "pinned is itself, unchecked", uses: "acme/gone@0123456789abcdef0123456789abcdef01234567", want: "0123456789abcdef0123456789abcdef01234567"},
		{name: "local override has none", uses: "acme/node@v1", want: ""},
		{name: "missing tag", uses: "acme/composite@v9", err: resolve.ErrNotFound},
		{name: "invalid", uses: "nothing", err: resolve.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := r.Commit(t.Context(), tt.uses)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("Commit(%s) error = %v, want %v", tt.uses, err, tt.err)
			}
			if got != tt.want {
				t.Errorf("Commit(%s) = %q, want %q", tt.uses, got, tt.want)
			}
		})
	}
	dir, err := resolveAction(t, r, "acme/composite@dev")
	if err != nil || readVersion(t, dir) != "dev" {
		t.Errorf("ResolveAction after Commit = %s, %v; want the commit Commit gave", dir, err)
	}
}
