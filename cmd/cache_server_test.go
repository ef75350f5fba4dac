package cmd

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/cache"
	"codeberg.org/anvil-ci/anvil/cache/cachetest"
)

// anvil cache-server prints its URL; a runner with the same secret issues
// a job credential that saves and restores through it.
func TestCacheServerServesAFleet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("fleet secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	proc, _, stderr := testProcess(map[string]string{})
	out, w := io.Pipe()
	proc.Stdout = w
	ctx, cancel := context.WithCancel(t.Context())
	code := make(chan int, 1)
	go func() {
		code <- Main(ctx, proc, []string{"cache-server", "--dir", filepath.Join(dir, "cache"), "--addr", "127.0.0.1:0", "--secret-file", secretFile, "--max-size", "1GiB"})
		w.Close()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("reading the URL: %v (exit %d)", err, <-code)
	}
	url := strings.TrimSpace(line)
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/") {
		t.Errorf("printed URL = %q, want http://127.0.0.1:PORT/", url)
	}

	iss, err := cache.NewIssuer([]byte("fleet secret"), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := iss.JobCredentials(url, cache.Scope{Repository: "o/r", Ref: "refs/heads/main"})
	if err != nil {
		t.Fatal(err)
	}
	c := &cachetest.Client{CacheURL: creds.CacheURL}
	src := filepath.Join(dir, "archive")
	os.WriteFile(src, []byte("cached bytes"), 0o600)
	if _, err := c.SaveV1(t.Context(), "k", "v", src); err != nil {
		t.Fatalf("SaveV1() = %v", err)
	}
	dst := filepath.Join(dir, "restored")
	if got, err := c.RestoreV1(t.Context(), []string{"k"}, "v", dst); err != nil || got != "k" {
		t.Fatalf("RestoreV1() = %q, %v", got, err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "cached bytes" {
		t.Errorf("restored %q, want cached bytes", b)
	}

	cancel()
	if got := <-code; got != ExitOK {
		t.Errorf("exit status after cancelling = %d, want %d; stderr:\n%s", got, ExitOK, stderr)
	}
	if !strings.Contains(stderr.String(), "anvil cache-server listening") || strings.Contains(stderr.String(), "fleet secret") {
		t.Errorf("stderr = %s, want the listening line and never the secret", stderr)
	}
}

func TestCacheServerUsageErrors(t *testing.T) {
	t.Parallel()
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, nil, 0o600)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no secret", []string{"cache-server"}, "needs --secret-file"},
		{"empty secret", []string{"cache-server", "--secret-file", empty}, "is empty"},
		{"bad size", []string{"cache-server", "--secret-file", empty, "--max-size", "lots"}, "size \"lots\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proc, _, stderr := testProcess(map[string]string{})
			if code := Main(t.Context(), proc, tt.args); code != ExitUsage || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("Main(%q) = %d, stderr %q; want %d with %q", tt.args, code, stderr, ExitUsage, tt.want)
			}
		})
	}
}
