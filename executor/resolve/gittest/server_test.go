package gittest

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

// git runs the git client against the server the way a user would.
func clientGit(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	c := exec.Command("git", args...)
	c.Dir = dir
	c.Env = append(c.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	out, err := c.CombinedOutput()
	return string(out), err
}

func TestServer(t *testing.T) {
	t.Parallel()
	s := NewServer(t, Options{Token: "s3cret"})
	pub := s.NewRepo(t, "acme/public", false)
	sha := pub.Commit(t, "main", map[string]string{"README": "hi\n", "run.sh": "#!/bin/sh\n"}, "first")
	if tagged := pub.Tag(t, "v1", "main"); tagged != sha {
		t.Errorf("Tag = %s, want the commit %s", tagged, sha)
	}
	dev := pub.Commit(t, "dev", map[string]string{"README": "dev\n"}, "dev")
	priv := s.NewRepo(t, "acme/private", true)
	priv.Commit(t, "main", map[string]string{"README": "private\n"}, "first")

	tests := []struct {
		name    string
		args    []string
		wantOut []string
		wantErr string
	}{
		{name: "ls-remote", args: []string{"ls-remote", pub.URL()},
			wantOut: []string{sha + "\trefs/heads/main", sha + "\trefs/tags/v1^{}", dev + "\trefs/heads/dev"}},
		{name: "with .git", args: []string{"ls-remote", pub.URL() + ".git", "main"}, wantOut: []string{sha}},
		{name: "unknown repository", args: []string{"ls-remote", s.URL + "/acme/nope"}, wantErr: "not found"},
		{name: "private without credentials", args: []string{"ls-remote", priv.URL()}, wantErr: "could not read Username"},
		{name: "private, token as password", args: []string{"-c", "http.extraHeader=Authorization: Basic dG9rZW46czNjcmV0", "ls-remote", priv.URL()}, wantOut: []string{"refs/heads/main"}},
		{name: "private, wrong token", args: []string{"-c", "http.extraHeader=Authorization: Basic dG9rZW46bm9wZQ==", "ls-remote", priv.URL()}, wantErr: "fatal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, err := clientGit(t, dir, "init", "-q"); err != nil {
				t.Fatal(err)
			}
			out, err := clientGit(t, dir, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(out, tt.wantErr) {
					t.Errorf("git %v = %v, %q; want an error with %q", tt.args, err, out, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("git %v: %v\n%s", tt.args, err, out)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("git %v output lacks %q:\n%s", tt.args, w, out)
				}
			}
		})
	}
}

func TestServerCounts(t *testing.T) {
	t.Parallel()
	s := NewServer(t, Options{})
	r := s.NewRepo(t, "acme/counted", false)
	sha := r.Commit(t, "main", map[string]string{"a": "b"}, "one")
	dir := t.TempDir()
	for _, args := range [][]string{
		{"init", "-q"},
		{"ls-remote", r.URL(), "main"},
		{"fetch", "-q", "--depth=1", r.URL(), sha},
	} {
		if out, err := clientGit(t, dir, args...); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	st := s.Stats("acme/counted")
	if st.Advertisements != 2 || st.LsRefs < 1 || st.Fetches != 1 || st.Authorized != 0 {
		t.Errorf("Stats = %+v, want 2 advertisements, ls-refs, 1 fetch, no authorization", st)
	}
	resp, err := http.Get(r.URL() + "/info/refs?service=git-receive-pack")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a push advertisement answered %d, want 403", resp.StatusCode)
	}
	if got := s.TotalFetches(); got != 1 {
		t.Errorf("TotalFetches = %d, want 1", got)
	}
	s.SetDown(true)
	resp, err = http.Get(r.URL() + "/info/refs?service=git-upload-pack")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a server that is down answered %d, want 503", resp.StatusCode)
	}
}

func TestServerNoFetchBySHA(t *testing.T) {
	t.Parallel()
	s := NewServer(t, Options{NoFetchBySHA: true})
	r := s.NewRepo(t, "acme/strict", false)
	first := r.Commit(t, "main", map[string]string{"a": "1"}, "one")
	r.Commit(t, "main", map[string]string{"a": "2"}, "two")
	dir := t.TempDir()
	if _, err := clientGit(t, dir, "init", "-q"); err != nil {
		t.Fatal(err)
	}
	if out, err := clientGit(t, dir, "fetch", "-q", "--depth=1", r.URL(), first); err == nil {
		t.Errorf("fetching a commit that no ref points at worked on a NoFetchBySHA server:\n%s", out)
	}
	if out, err := clientGit(t, dir, "fetch", "-q", "--depth=1", r.URL(), "main"); err != nil {
		t.Errorf("fetching a branch from a NoFetchBySHA server: %v\n%s", err, out)
	}
}
