package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/demo"
	"codeberg.org/anvil-ci/anvil/executor/resolve/gittest"
)

// remoteWorkflow uses a remote composite action and a remote reusable
// workflow by tag.
const remoteWorkflow = `on: push
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - id: hello
        uses: acme/hello@v1
        with:
          who: exec
      - run: echo "output=${{ steps.hello.outputs.greeting }}"
  shared:
    uses: acme/hello/.forgejo/workflows/shared.yml@v1
    with:
      who: a reusable workflow
`

// helloFiles are the files of acme/hello.
var helloFiles = map[string]string{
	"action.yml": `name: hello
inputs:
  who:
    description: who
outputs:
  greeting:
    description: the greeting
    value: ${{ steps.say.outputs.greeting }}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: |
        echo "hello ${{ inputs.who }} from $(cat "$GITHUB_ACTION_PATH/FROM")"
        echo "greeting=hi ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
`,
	"FROM": "the git server\n",
	".forgejo/workflows/shared.yml": `on:
  workflow_call:
    inputs:
      who:
        type: string
        required: true
jobs:
  inner:
    runs-on: ubuntu-latest
    steps:
      - run: echo "shared workflow greets ${{ inputs.who }}"
`,
}

// remoteRepo writes a repository whose workflow uses acme/hello@v1, with
// origin set to origin when it is not "".
func remoteRepo(t *testing.T, origin string) string {
	t.Helper()
	dir := t.TempDir()
	wf := filepath.Join(dir, ".forgejo", "workflows", "remote.yml")
	if err := os.MkdirAll(filepath.Dir(wf), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wf, []byte(remoteWorkflow), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := demo.CommitAll(t.Context(), dir, "remote actions", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		if out, err := exec.Command("git", "-C", dir, "remote", "add", "origin", origin).CombinedOutput(); err != nil {
			t.Fatalf("git remote add: %v: %s", err, out)
		}
	}
	return dir
}

// TestExecRemoteActions runs anvil exec on workflows that use an action
// and a reusable workflow from a git server on loopback, online, offline,
// through a mirror and from a local directory.
func TestExecRemoteActions(t *testing.T) {
	t.Parallel()
	srv := gittest.NewServer(t, gittest.Options{})
	hello := srv.NewRepo(t, "acme/hello", false)
	hello.Commit(t, "main", helloFiles, "hello")
	hello.Tag(t, "v1", "main")
	warm := t.TempDir()
	local := t.TempDir()
	for name, content := range map[string]string{"action.yml": helloFiles["action.yml"], "FROM": "a local directory\n"} {
		if err := os.WriteFile(filepath.Join(local, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	success := []string{
		"[remote/greet]   | hello exec from the git server",
		"[remote/greet]   | output=hi exec",
		"shared workflow greets a reusable workflow",
		"[remote] ✓ workflow success",
	}
	tests := []struct {
		name       string
		origin     string
		args       []string
		cache      string // "" for a new one
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{name: "from --default-actions-url", args: []string{"--default-actions-url", srv.URL}, cache: warm,
			wantCode: ExitOK, wantStdout: success, wantStderr: []string{"anvil: fetched acme/hello@v1 (commit "}},
		{name: "from the origin remote's forge", origin: srv.URL + "/acme/app.git",
			wantCode: ExitOK, wantStdout: success},
		{name: "offline from the warm cache", args: []string{"--default-actions-url", srv.URL, "--offline"}, cache: warm,
			wantCode: ExitOK, wantStdout: success},
		{name: "offline from a cold cache", args: []string{"--default-actions-url", srv.URL, "--offline"},
			wantCode: ExitFailed, wantStdout: []string{"resolving acme/hello@v1 from " + srv.URL + "/acme/hello", "run once without --offline"}},
		{name: "through a mirror", args: []string{"--default-actions-url", "http://127.0.0.1:1", "--action-mirror", srv.URL},
			wantCode: ExitOK, wantStdout: success},
		{name: "from a local repository", args: []string{"--default-actions-url", "http://127.0.0.1:1", "--local-repository", "acme/hello@v1=" + local, "-j", "greet"},
			wantCode: ExitOK, wantStdout: []string{"[remote/greet]   | hello exec from a local directory"}},
		{name: "unknown action", args: []string{"--default-actions-url", srv.URL + "/nothing-here"},
			wantCode: ExitFailed, wantStdout: []string{"resolving acme/hello@v1 from " + srv.URL + "/nothing-here/acme/hello: not found"}},
		{name: "bad --local-repository", args: []string{"--local-repository", "acme/hello@v1"},
			wantCode: ExitUsage, wantStderr: []string{"write it as owner/repo@ref=DIR"}},
		{name: "bad --action-mirror", args: []string{"--action-mirror", "mirror.example"},
			wantCode: ExitUsage, wantStderr: []string{"is not an http(s) URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the offline case needs the cache the first
			// case fills.
			repo := remoteRepo(t, tt.origin)
			cache := tt.cache
			if cache == "" {
				cache = t.TempDir()
			}
			proc, stdout, stderr := testProcess(map[string]string{"PATH": os.Getenv("PATH"), "HOME": t.TempDir()})
			args := append([]string{"exec", "-C", repo, "--workdir", t.TempDir(), "--action-cache", cache}, tt.args...)
			code := Main(t.Context(), proc, args)
			if code != tt.wantCode {
				t.Errorf("anvil %q exited %d, want %d\nstdout:\n%s\nstderr:\n%s", args, code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}
