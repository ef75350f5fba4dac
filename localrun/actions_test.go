package localrun

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestDefaultActionSources(t *testing.T) {
	t.Parallel()
	tests := []struct {
		origin string
		want   []string
	}{
		{origin: "", want: []string{"https://github.com"}},
		{origin: "https://codeberg.org", want: []string{"https://codeberg.org", "https://github.com"}},
		{origin: "https://github.com", want: []string{"https://github.com"}},
	}
	for _, tt := range tests {
		if got := defaultActionSources(tt.origin); !slices.Equal(got, tt.want) {
			t.Errorf("defaultActionSources(%q) = %q, want %q", tt.origin, got, tt.want)
		}
	}
}

func TestDefaultActionCache(t *testing.T) {
	t.Parallel()
	tests := []struct {
		env  map[string]string
		want string
	}{
		{env: map[string]string{"XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"}, want: "/x/cache/anvil/actions"},
		{env: map[string]string{"XDG_CACHE_HOME": "relative", "HOME": "/home/u"}, want: "/home/u/.cache/anvil/actions"},
		{env: map[string]string{}, want: filepath.Join(os.TempDir(), "anvil-actions")},
	}
	for _, tt := range tests {
		getenv := func(k string) string { return tt.env[k] }
		if got := DefaultActionCache(getenv); got != tt.want {
			t.Errorf("DefaultActionCache(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}
