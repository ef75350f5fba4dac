package cmd

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRemote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
		want remote
	}{
		{name: "https", url: "https://codeberg.org/anvil-ci/anvil.git", want: remote{Repository: "anvil-ci/anvil", ServerURL: "https://codeberg.org"}},
		{name: "http with port and no .git", url: "http://localhost:3000/me/app", want: remote{Repository: "me/app", ServerURL: "http://localhost:3000"}},
		{name: "credentials are dropped", url: "https://user:tok3n@git.example.com/org/repo.git/", want: remote{Repository: "org/repo", ServerURL: "https://git.example.com"}},
		{name: "subgroups keep the last two", url: "https://gitlab.example/a/b/c.git", want: remote{Repository: "b/c", ServerURL: "https://gitlab.example"}},
		{name: "scp-like ssh", url: "git@codeberg.org:anvil-ci/anvil.git", want: remote{Repository: "anvil-ci/anvil"}},
		{name: "ssh url", url: "ssh://git@example.com:2222/team/tool.git", want: remote{Repository: "team/tool"}},
		{name: "local path", url: "/srv/git/repo.git", want: remote{}},
		{name: "empty", url: "", want: remote{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(parseRemote(tt.url), tt.want); diff != "" {
				t.Errorf("parseRemote(%q) (-got +want):\n%s", tt.url, diff)
			}
		})
	}
}
