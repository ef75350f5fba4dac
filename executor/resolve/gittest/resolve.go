package gittest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ActionResolver is what ResolveAction needs of a resolver.
type ActionResolver interface {
	ResolveAction(ctx context.Context, ref string) (string, error)
}

// ResolveAction asks r for the action ref. With wantErr it fails the test
// unless the error contains wantErr, and returns ok false; otherwise it
// fails the test on an error or a directory without action.yml, and
// returns the directory.
func ResolveAction(tb testing.TB, r ActionResolver, ref, wantErr string) (dir string, ok bool) {
	tb.Helper()
	dir, err := r.ResolveAction(tb.Context(), ref)
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			tb.Fatalf("ResolveAction(%s) error = %v, want one naming %q", ref, err, wantErr)
		}
		return "", false
	}
	if err != nil {
		tb.Fatalf("ResolveAction(%s): %v", ref, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "action.yml")); err != nil {
		tb.Errorf("the resolved directory has no action.yml: %v", err)
	}
	return dir, true
}
