package cache

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestListenHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host       string
		containers bool
		want       string
	}{
		{"", false, "127.0.0.1"},
		{"", true, ""},
		{"192.0.2.10", false, ""},
		{"cache.internal.example", true, ""},
		{"127.0.0.1", true, "127.0.0.1"},
		{"localhost", true, "localhost"},
	}
	for _, tt := range tests {
		if got := ListenHost(tt.host, tt.containers); got != tt.want {
			t.Errorf("ListenHost(%q, %t) = %q, want %q", tt.host, tt.containers, got, tt.want)
		}
	}
}

// TestCacheDirOnePerProcess: a second server on a directory in use is
// refused, and served again once the first stops.
func TestCacheDirOnePerProcess(t *testing.T) {
	t.Parallel()
	cfg := Config{Dir: filepath.Join(t.TempDir(), "not", "yet")}
	first, err := StartJobs(t.Context(), cfg, JobsOptions{})
	if err != nil {
		t.Fatalf("first server: %v", err)
	}
	if _, err := StartJobs(t.Context(), cfg, JobsOptions{}); !errors.Is(err, ErrDirInUse) {
		t.Errorf("second server on the same directory: %v, want %v", err, ErrDirInUse)
	}
	first.Close()
	again, err := StartJobs(t.Context(), cfg, JobsOptions{})
	if err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
	again.Close()
}
