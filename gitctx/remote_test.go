package gitctx

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRemote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
		want Remote
	}{
		{name: "https", url: "https://codeberg.org/anvil-ci/anvil.git", want: Remote{Repository: "anvil-ci/anvil", ServerURL: "https://codeberg.org"}},
		{name: "http with port and no .git", url: "http://localhost:3000/me/app", want: Remote{Repository: "me/app", ServerURL: "http://localhost:3000"}},
		{name: "credentials are dropped", url: "https://user:tok3n@git.example.com/org/repo.git/", want: Remote{Repository: "org/repo", ServerURL: "https://git.example.com"}},
		{name: "subgroups keep the last two", url: "https://gitlab.example/a/b/c.git", want: Remote{Repository: "b/c", ServerURL: "https://gitlab.example"}},
		{name: "scp-like ssh", url: "git@codeberg.org:anvil-ci/anvil.git", want: Remote{Repository: "anvil-ci/anvil"}},
		{name: "ssh url", url: "ssh://git@example.com:2222/team/tool.git", want: Remote{Repository: "team/tool"}},
		{name: "local path", url: "/srv/git/repo.git", want: Remote{}},
		{name: "empty", url: "", want: Remote{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(ParseRemote(tt.url), tt.want); diff != "" {
				t.Errorf("ParseRemote(%q) (-got +want):\n%s", tt.url, diff)
			}
		})
	}
}
