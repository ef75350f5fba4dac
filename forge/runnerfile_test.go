package forge_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/internal/testkit/golden"
)

func TestReadRunnerFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want forge.RunnerFile
	}{{
		file: "forgejo-runner.runner",
		want: forge.RunnerFile{
			ID: 7, UUID: "5c8d5a4e-3f4b-4d0e-9a57-2b1f8a6c9d10", Name: "build-01",
			Token: "0f3c2b1a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b", Address: "https://forge.example",
			Labels: []string{"ubuntu-latest:docker://node:20-bookworm", "self-hosted:host"},
		},
	}, {
		file: "act_runner.runner",
		want: forge.RunnerFile{
			ID: 12, UUID: "9b2e6f1c-7d3a-4c58-b0e4-61f2a9d8c3e7", Name: "gitea-runner",
			Token: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", Address: "http://gitea.example:3000",
			Labels: []string{"ubuntu-22.04:docker://gitea/runner-images:ubuntu-22.04"}, Ephemeral: true,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			got, err := forge.ReadRunnerFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatalf("ReadRunnerFile(%s) = %v", tt.file, err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("ReadRunnerFile(%s) (-got +want):\n%s", tt.file, diff)
			}
		})
	}
}

func TestWriteRunnerFile(t *testing.T) {
	t.Parallel()
	f := forge.NewRunnerFile("https://forge.example", &runnerv1.Runner{
		Id: 7, Uuid: "5c8d5a4e-3f4b-4d0e-9a57-2b1f8a6c9d10", Name: "build-01",
		Token: "0f3c2b1a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b", Labels: []string{"ubuntu-latest", "self-hosted"},
	}, []string{"ubuntu-latest:docker://node:20-bookworm", "self-hosted:host"})
	dir := t.TempDir()
	path := filepath.Join(dir, ".runner")
	// An existing, too open file is replaced by a 0600 one.
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := forge.WriteRunnerFile(path, f); err != nil {
		t.Fatalf("WriteRunnerFile = %v", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("mode = %v, want 0600", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries after the write, want only .runner", len(entries))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "written.runner.golden"), data)
	// forgejo-runner's own file and ours differ only by the ephemeral key.
	theirs, err := os.ReadFile(filepath.Join("testdata", "forgejo-runner.runner"))
	if err != nil {
		t.Fatal(err)
	}
	ours := bytes.Replace(data, []byte("  ],\n  \"ephemeral\": false\n"), []byte("  ]\n"), 1)
	if diff := cmp.Diff(string(ours), string(theirs)); diff != "" {
		t.Errorf("written file vs forgejo-runner's (-ours +theirs):\n%s", diff)
	}
	back, err := forge.ReadRunnerFile(path)
	if err != nil {
		t.Fatalf("ReadRunnerFile after Write = %v", err)
	}
	if diff := cmp.Diff(back, f); diff != "" {
		t.Errorf("round trip (-read +written):\n%s", diff)
	}
}

func TestRunnerFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const secret = "s3cr3t-token-value"
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path string
		is         error
		mention    string
	}{
		{name: "missing", path: filepath.Join(dir, "absent"), is: fs.ErrNotExist, mention: "anvil register"},
		{name: "not json", path: write("garbage", "token="+secret), mention: "not the JSON"},
		{name: "no uuid", path: write("partial", `{"token": "`+secret+`", "address": "https://f"}`), mention: "no uuid"},
		{name: "wrong type", path: write("typed", `{"id": "x", "token": "`+secret+`"}`), mention: "not the JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := forge.ReadRunnerFile(tt.path)
			if err == nil {
				t.Fatal("ReadRunnerFile succeeded, want an error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("ReadRunnerFile = %v, want errors.Is %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.mention) || strings.Contains(err.Error(), secret) {
				t.Errorf("ReadRunnerFile = %q; want it to mention %q and never the token", err, tt.mention)
			}
		})
	}
	err := forge.WriteRunnerFile(filepath.Join(dir, "no", "such", ".runner"), forge.RunnerFile{Token: secret})
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("WriteRunnerFile into a missing directory = %v; want an error without the token", err)
	}
}
