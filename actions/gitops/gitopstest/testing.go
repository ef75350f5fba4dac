package gitopstest

import "testing"

// NewTest starts a server for tb in a temporary directory and stops it
// when tb ends.
func NewTest(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s, err := Start(tb.TempDir(), opts)
	if err != nil {
		tb.Fatalf("starting the git test server: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// MustRepo is NewRepo failing tb on errors.
func (s *Server) MustRepo(tb testing.TB, name string, files map[string]string) *Repo {
	tb.Helper()
	r, err := s.NewRepo(name, files)
	if err != nil {
		tb.Fatalf("creating repository %s: %v", name, err)
	}
	return r
}

// MustCommit is Commit failing tb on errors.
func (r *Repo) MustCommit(tb testing.TB, files map[string]string, msg string) string {
	tb.Helper()
	sha, err := r.Commit(files, msg)
	if err != nil {
		tb.Fatalf("committing to %s: %v", r.Name, err)
	}
	return sha
}

// MustFile is File failing tb on errors.
func (r *Repo) MustFile(tb testing.TB, path string) string {
	tb.Helper()
	s, err := r.File(path)
	if err != nil {
		tb.Fatalf("reading %s of %s: %v", path, r.Name, err)
	}
	return s
}

// MustHead is Head failing tb on errors.
func (r *Repo) MustHead(tb testing.TB) string {
	tb.Helper()
	s, err := r.Head()
	if err != nil {
		tb.Fatalf("reading the head of %s: %v", r.Name, err)
	}
	return s
}
