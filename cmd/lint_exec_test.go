package cmd

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor"
)

// TestExecLintsFirst runs anvil exec on a repository whose workflows
// have problems: those with an error fail their jobs at once, with every
// problem, its severity and its position in the job log; those with
// warnings only show them in their jobs' logs and run, like the others.
func TestExecLintsFirst(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		notStdout  []string
		wantStderr []string
		notStderr  []string
	}{
		{
			name:     "broken workflows fail, the good one runs",
			args:     []string{"exec"},
			wantCode: ExitFailed,
			wantStdout: []string{
				"[good/hello]   | warning: .forgejo/workflows/good.yml:8:24: \"github.event.head_commit.message\" is potentially untrusted",
				"[good/hello]   | good workflow ran",
				"[good/hello] ✓ job success",
				"[lintonly/first] ▶ job: first",
				"[lintonly/first]   | warning: .forgejo/workflows/lintonly.yml:7:37: \"github.event.head_commit.message\" is potentially untrusted",
				`[lintonly/first]   | error: .forgejo/workflows/lintonly.yml:12:44: undefined variable "shaa". available variables are "env", "github", "inputs", "job", "matrix", "needs", "runner", "secrets", "steps", "strategy", "vars" [expression]`,
				"[lintonly/first] ✗ job failure (0.0s): .forgejo/workflows/lintonly.yml has 1 error and 1 warning (see above), so none of its jobs ran; fix the file and run again",
				"[lintonly/second] ✗ job failure",
				"[lintonly] ✗ workflow failure",
				"[unparsable/build]   | error: .forgejo/workflows/unparsable.yml:7:9: jobs.build.steps[0] has neither run nor uses; add run with a script or uses with an action [anvil]",
				"[unparsable/build] ✗ job failure",
				"[notyaml] ▶ job: .forgejo/workflows/notyaml.yml",
				"[notyaml]   | error: .forgejo/workflows/notyaml.yml:2:1: invalid YAML",
				"[notyaml] ✗ job failure",
			},
			notStdout: []string{"must not run", "[pr"},
			notStderr: []string{"warning:"},
		},
		{
			name:       "an event the broken workflows do not listen to",
			args:       []string{"exec", "workflow_dispatch"},
			wantCode:   ExitFailed,
			wantStdout: []string{"[notyaml] ✗ job failure"},
			notStdout:  []string{"[lintonly", "[unparsable", "[good", "[pr"},
			notStderr:  []string{"nothing to run"},
		},
		{
			name:       "pull_request: a broken workflow that parses but lints badly",
			args:       []string{"exec", "pull_request"},
			wantCode:   ExitFailed,
			wantStdout: []string{`[pr/review]   | error: .forgejo/workflows/pr.yml:6:15: uses "actions/checkout" has no version; add @ref, for example "actions/checkout@v4" [anvil]`},
			notStdout:  []string{"[good", "[lintonly"},
		},
		{
			name:       "one job of a broken workflow",
			args:       []string{"exec", "-j", "second"},
			wantCode:   ExitFailed,
			wantStdout: []string{"[lintonly/first] ✗ job failure", "[lintonly/second] ✗ job failure"},
			notStdout:  []string{"[good", "[unparsable", "[notyaml"},
		},
		{
			name:       "one job of a good workflow",
			args:       []string{"exec", "-j", "hello"},
			wantCode:   ExitOK,
			wantStdout: []string{"[good/hello] ✓ job success"},
			notStdout:  []string{"[lintonly", "[unparsable", "[notyaml"},
		},
		{
			name:       "a job no workflow has",
			args:       []string{"exec", "-j", "nope"},
			wantCode:   ExitUsage,
			wantStderr: []string{`selecting job "nope"`, "build", "first", "hello"},
		},
		{
			name:       "list",
			args:       []string{"exec", "-l"},
			wantCode:   ExitFailed,
			wantStdout: []string{".forgejo/workflows/good.yml"},
			notStdout:  []string{"lintonly"},
			wantStderr: []string{
				"anvil: .forgejo/workflows/lintonly.yml has 1 error, so its jobs would fail at once:",
				`warning: .forgejo/workflows/lintonly.yml:7:37: "github.event.head_commit.message" is potentially untrusted`,
				`error: .forgejo/workflows/lintonly.yml:12:44: undefined variable "shaa"`,
				`warning: .forgejo/workflows/good.yml:8:24: "github.event.head_commit.message" is potentially untrusted`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := copyFixture(t, "lint/exec")
			proc, stdout, stderr := testProcess(map[string]string{"PATH": os.Getenv("PATH")})
			args := append(tt.args, "-C", repo, "--workdir", t.TempDir())
			code := Main(t.Context(), proc, args)
			if code != tt.wantCode {
				t.Errorf("anvil %q exited %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.wantCode, stdout, stderr)
			}
			check := func(what, got string, want []string, present bool) {
				for _, w := range want {
					if strings.Contains(got, w) != present {
						t.Errorf("anvil %q %s: contains %q = %v, want %v:\n%s", tt.args, what, w, !present, present, got)
					}
				}
			}
			check("stdout", stdout.String(), tt.wantStdout, true)
			check("stdout", stdout.String(), tt.notStdout, false)
			check("stderr", stderr.String(), tt.wantStderr, true)
			check("stderr", stderr.String(), tt.notStderr, false)
		})
	}
}

// TestExecLintsFirstJSON checks the events of a broken workflow in --json
// output: each job starts, logs every problem at its severity and ends
// failed, inside its workflow's start and end.
func TestExecLintsFirstJSON(t *testing.T) {
	t.Parallel()
	repo := copyFixture(t, "lint/exec")
	proc, stdout, stderr := testProcess(map[string]string{"PATH": os.Getenv("PATH")})
	code := Main(t.Context(), proc, []string{"exec", "-C", repo, "--json", "--workdir", t.TempDir()})
	if code != ExitFailed {
		t.Fatalf("anvil exec --json exited %d, want %d; stderr:\n%s", code, ExitFailed, stderr)
	}
	var kinds []string
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		var e executor.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("stdout line %q is not a JSON event: %v", sc.Text(), err)
		}
		if e.Workflow != ".forgejo/workflows/unparsable.yml" {
			continue
		}
		kind := string(e.Kind)
		switch e.Kind {
		case executor.EventLog:
			kind += ":" + e.Level + ":" + e.Line
		case executor.EventJobEnd:
			kind += ":" + string(e.Result) + ":" + e.Error
		case executor.EventWorkflowEnd:
			kind += ":" + string(e.Result)
		}
		if e.Job != "" {
			kind = e.Job + " " + kind
		}
		kinds = append(kinds, kind)
	}
	want := []string{
		"workflow_start",
		"build job_start",
		"build log:error:.forgejo/workflows/unparsable.yml:7:9: jobs.build.steps[0] has neither run nor uses; add run with a script or uses with an action [anvil]",
		"build job_end:failure:.forgejo/workflows/unparsable.yml has 1 error (see above), so none of its jobs ran; fix the file and run again",
		"workflow_end:failure",
	}
	if strings.Join(kinds, "\n") != strings.Join(want, "\n") {
		t.Errorf("events of unparsable.yml:\n%s\nwant:\n%s", strings.Join(kinds, "\n"), strings.Join(want, "\n"))
	}
}
