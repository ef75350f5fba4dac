package forge

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://forge.example", "https://forge.example"},
		{"https://user:hunter2@forge.example/sub", "https://***@forge.example/sub"},
		{"http://token@10.0.0.5:3000", "http://***@10.0.0.5:3000"},
		{"not a url at all", "not a url at all"},
		{"http://user:p%zz@forge.example", "http://***@forge.example"},
		{"https://forge.example/a@b", "https://forge.example/a@b"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAddressWarning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		address string
		warn    bool
	}{
		{"https://forge.example", false},
		{"http://localhost:3000", false},
		{"http://127.0.0.1:3000", false},
		{"http://127.1.2.3", false},
		{"http://[::1]:3000", false},
		{"http://forgejo.localhost", false},
		{"http://forge.example", true},
		{"HTTP://10.0.0.5:3000", true},
		{"http://user:hunter2@forge.example", true},
	}
	for _, tt := range tests {
		got := AddressWarning(tt.address)
		if (got != "") != tt.warn {
			t.Errorf("AddressWarning(%q) = %q, want a warning: %v", tt.address, got, tt.warn)
		}
		if strings.Contains(got, "hunter2") {
			t.Errorf("AddressWarning(%q) = %q shows the password", tt.address, got)
		}
	}
}

// TestRunnerFileWarnings is issue 11's item 8: a .runner readable by others
// and a plain-http forge address are reported; a file anvil wrote is 0600.
func TestRunnerFileWarnings(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), ".runner")
	f := RunnerFile{UUID: "u", Token: "secret-token", Address: "https://forge.example"}
	if err := WriteRunnerFile(path, f); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("WriteRunnerFile wrote mode %v (err %v), want 0600", fi.Mode().Perm(), err)
	}
	if got := RunnerFileWarnings(path, f); len(got) != 0 {
		t.Errorf("RunnerFileWarnings of a 0600 https registration = %q, want none", got)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	f.Address = "http://forge.example:3000"
	got := RunnerFileWarnings(path, f)
	want := []string{
		"the runner file " + path + " has mode 0644: others on this machine can read the runner's token; restrict it with chmod 600 " + path,
		"the forge address http://forge.example:3000 is plain http:// to forge.example, another machine: the runner token and job secrets travel unencrypted; use https://",
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("RunnerFileWarnings (-got +want):\n%s", diff)
	}
}
