package localrun

import (
	"strings"
	"testing"
)

func TestSharedAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		c        CacheOptions
		a        ArtifactOptions
		wantHost string
		wantPort uint16
		wantErr  string
	}{
		{name: "defaults", wantHost: "", wantPort: 0},
		{name: "the cache's", c: CacheOptions{Addr: "127.0.0.2", Port: 9000}, wantHost: "127.0.0.2", wantPort: 9000},
		{name: "the artifacts'", a: ArtifactOptions{Addr: "127.0.0.3", Port: 9001}, wantHost: "127.0.0.3", wantPort: 9001},
		{name: "the same twice", c: CacheOptions{Port: 9002}, a: ArtifactOptions{Port: 9002}, wantPort: 9002},
		{name: "two ports", c: CacheOptions{Port: 9000}, a: ArtifactOptions{Port: 9001}, wantErr: "one port"},
		{name: "two addresses", c: CacheOptions{Addr: "127.0.0.2"}, a: ArtifactOptions{Addr: "127.0.0.3"}, wantErr: "one address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			host, port, err := sharedAddress(tt.c, tt.a)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("sharedAddress = %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || host != tt.wantHost || port != tt.wantPort {
				t.Errorf("sharedAddress = %q, %d, %v, want %q, %d", host, port, err, tt.wantHost, tt.wantPort)
			}
		})
	}
}
