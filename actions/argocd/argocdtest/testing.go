package argocdtest

import (
	"strings"
	"testing"
)

// NewTest starts a server for t and stops it when t ends, failing t if
// any JSON the server received or sent strays from the swagger subset.
func NewTest(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := Start(cfg)
	if err != nil {
		t.Fatalf("starting the Argo CD test server: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		if v := s.Violations(); len(v) > 0 {
			t.Errorf("the Argo CD test server saw JSON outside the swagger subset:\n%s", strings.Join(v, "\n"))
		}
	})
	return s
}
