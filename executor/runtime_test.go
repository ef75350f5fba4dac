package executor

import "testing"

func TestReachableURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, addr, want string
	}{
		{"loopback IP", "http://127.0.0.1:4000/_cache/tok/", "172.18.0.1", "http://172.18.0.1:4000/_cache/tok/"},
		{"localhost without port", "http://localhost/api/actions_pipeline/", "172.17.0.1", "http://172.17.0.1/api/actions_pipeline/"},
		{"other loopback and https", "https://127.0.0.2:3000", "gw", "https://gw:3000"},
		{"IPv6 loopback", "http://[::1]:3000/", "fd00::1", "http://[fd00::1]:3000/"},
		{"IPv6 address without port", "http://[::1]/", "fd00::1", "http://[fd00::1]/"},
		{"query kept", "http://127.0.0.1:1/x?sig=a%2Fb&e=1", "10.0.0.1", "http://10.0.0.1:1/x?sig=a%2Fb&e=1"},
		{"no address keeps it", "http://127.0.0.1:4000/", "", "http://127.0.0.1:4000/"},
		{"a reachable host stays", "http://forge.example:3000/", "172.17.0.1", "http://forge.example:3000/"},
		{"not a URL", "127.0.0.1", "172.17.0.1", "127.0.0.1"},
		{"a token", "eyJhbGciOi.x.y", "172.17.0.1", "eyJhbGciOi.x.y"},
		{"user info stays", "http://u:p@127.0.0.1/", "172.17.0.1", "http://u:p@127.0.0.1/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := reachableURL(tt.in, tt.addr); got != tt.want {
				t.Errorf("reachableURL(%q, %q) = %q, want %q", tt.in, tt.addr, got, tt.want)
			}
		})
	}
}
