package gitops

import "testing"

func TestRepositoryURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ repo, server, want string }{
		{"acme/config", "https://forge.test/", "https://forge.test/acme/config.git"},
		{"acme/config.git", "https://forge.test", "https://forge.test/acme/config.git"},
		{"acme/config", "", "acme/config"},
		{"https://other.test/a/b.git", "https://forge.test", "https://other.test/a/b.git"},
		{"/srv/git/config.git", "https://forge.test", "/srv/git/config.git"},
	}
	for _, tt := range tests {
		if got := repositoryURL(tt.repo, tt.server); got != tt.want {
			t.Errorf("repositoryURL(%q, %q) = %q, want %q", tt.repo, tt.server, got, tt.want)
		}
	}
	for u, want := range map[string]string{"https://forge.test:3000/x": "forge.test", "": "localhost", "https://": "localhost"} {
		if got := hostOf(u); got != want {
			t.Errorf("hostOf(%q) = %q, want %q", u, got, want)
		}
	}
}
