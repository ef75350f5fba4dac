//go:build unix

package host

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"codeberg.org/anvil-ci/anvil/executor"
)

func TestToCmd(t *testing.T) {
	t.Parallel()
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	dir := t.TempDir()
	tests := []struct {
		name    string
		in      executor.Command
		wantEnv []string
	}{
		{name: "environment copied", in: executor.Command{Args: []string{"/bin/sh", "-c", "true"}, Env: []string{"A=1", "PATH=/bin"}, Dir: dir}, wantEnv: []string{"A=1", "PATH=/bin"}},
		{name: "no environment stays empty", in: executor.Command{Args: []string{"/bin/sh"}}, wantEnv: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd, err := toCmd(tt.in, out)
			if err != nil {
				t.Fatalf("toCmd: %v", err)
			}
			if cmd.Env == nil {
				t.Error("toCmd gave a nil Env, which would inherit anvil's environment")
			}
			if diff := cmp.Diff(cmd.Env, tt.wantEnv); diff != "" {
				t.Errorf("Env (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(cmd.Args, tt.in.Args); diff != "" {
				t.Errorf("Args (-got +want):\n%s", diff)
			}
			if cmd.Path != tt.in.Args[0] || cmd.Dir != tt.in.Dir {
				t.Errorf("Path, Dir = %q, %q, want %q, %q", cmd.Path, cmd.Dir, tt.in.Args[0], tt.in.Dir)
			}
			if cmd.Stdout != out || cmd.Stderr != out || cmd.Stdin != nil {
				t.Error("stdout and stderr must both be the output file and stdin empty")
			}
			if cmd.SysProcAttr == nil || !cmd.SysProcAttr.Setpgid {
				t.Error("the process does not get its own process group")
			}
		})
	}
}

func TestLookPath(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, f := range []struct {
		path string
		mode os.FileMode
	}{
		{"a/tool", 0o755},
		{"b/tool", 0o755},
		{"b/plain", 0o644},
		{"work/bin/local", 0o755},
		{"work/here", 0o755},
	} {
		p := filepath.Join(root, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "a", "dironly"), 0o755); err != nil {
		t.Fatal(err)
	}
	a, b, work := filepath.Join(root, "a"), filepath.Join(root, "b"), filepath.Join(root, "work")
	tests := []struct {
		name    string
		prog    string
		env     []string
		dir     string
		want    string
		wantErr bool
	}{
		{name: "first match in PATH", prog: "tool", env: []string{"PATH=" + a + ":" + b}, want: filepath.Join(a, "tool")},
		{name: "PATH order", prog: "tool", env: []string{"PATH=" + b + ":" + a}, want: filepath.Join(b, "tool")},
		{name: "last PATH entry wins", prog: "tool", env: []string{"PATH=" + a, "PATH=" + b}, want: filepath.Join(b, "tool")},
		{name: "not executable skipped", prog: "plain", env: []string{"PATH=" + b}, wantErr: true},
		{name: "directory skipped", prog: "dironly", env: []string{"PATH=" + a}, wantErr: true},
		{name: "relative PATH entry resolves against dir", prog: "local", env: []string{"PATH=bin"}, dir: work, want: filepath.Join(work, "bin", "local")},
		{name: "empty PATH entry is the working directory", prog: "here", env: []string{"PATH=" + a + "::"}, dir: work, want: filepath.Join(work, "here")},
		{name: "no PATH", prog: "tool", env: []string{"HOME=/"}, wantErr: true},
		{name: "absolute path used as is", prog: "/bin/sh", want: "/bin/sh"},
		{name: "relative path with a slash resolves against dir", prog: "./here", dir: work, want: filepath.Join(work, "here")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := lookPath(tt.prog, tt.env, tt.dir)
			if tt.wantErr {
				if !errors.Is(err, ErrProgramNotFound) {
					t.Errorf("lookPath(%q) = %q, %v, want ErrProgramNotFound", tt.prog, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("lookPath(%q) = %q, %v, want %q, nil", tt.prog, got, err, tt.want)
			}
		})
	}
}
