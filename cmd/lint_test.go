package cmd

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/console"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// TestLintCommand runs anvil lint through Main on the repositories in
// testdata/lint; the full output of the main cases is in golden files.
func TestLintCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fixture    string
		args       []string // after "lint"; "REPO" is replaced by the fixture's directory
		wantCode   int
		golden     string // compare stdout with testdata/lint/<golden>
		wantStdout []string
		notStdout  []string
		wantStderr []string
	}{
		{
			name:       "workflow directory of -C",
			fixture:    "lint/repo",
			args:       []string{"-C", "REPO"},
			wantCode:   ExitFailed,
			golden:     "lint/text.golden",
			wantStderr: []string{"anvil: 1 error and 3 warnings in 2 of 3 workflow files"},
		},
		{
			name:     "json",
			fixture:  "lint/repo",
			args:     []string{"-C", "REPO", "--format", "json"},
			wantCode: ExitFailed,
			golden:   "lint/json.golden",
		},
		{
			name:     "a clean repository",
			fixture:  "lint/clean",
			args:     []string{"-C", "REPO"},
			wantCode: ExitOK,
		},
		{
			name:     "a file given as path",
			fixture:  "lint/repo",
			args:     []string{"-C", "REPO", "REPO/.forgejo/workflows/deploy.yml"},
			wantCode: ExitFailed,
			wantStdout: []string{
				`.forgejo/workflows/deploy.yml:4:5: warning: unknown key "branchs" in on.push; did you mean "branches"? [anvil]`,
				`.forgejo/workflows/deploy.yml:8:12: error: job "deploy" needs "build", which is not a job in this workflow`,
			},
			notStdout:  []string{"ci.yml"},
			wantStderr: []string{"in 1 of 1 workflow files"},
		},
		{
			name:       "a clean file and a directory",
			fixture:    "lint/repo",
			args:       []string{"-C", "REPO", "REPO/.forgejo/workflows/ok.yml", "REPO/.forgejo/workflows"},
			wantCode:   ExitFailed,
			wantStderr: []string{"in 2 of 4 workflow files"},
		},
		{
			name:       "warnings only",
			fixture:    "lint/repo",
			args:       []string{"-C", "REPO", "REPO/.forgejo/workflows/ci.yml"},
			wantCode:   ExitOK,
			wantStdout: []string{`.forgejo/workflows/ci.yml:8:43: warning: property "shaa" is not defined`},
			wantStderr: []string{"anvil: 2 warnings in 1 of 1 workflow files; they do not stop a run (--strict fails on them)"},
		},
		{
			name:       "warnings with --strict",
			fixture:    "lint/repo",
			args:       []string{"-C", "REPO", "--strict", "REPO/.forgejo/workflows/ci.yml"},
			wantCode:   ExitFailed,
			wantStderr: []string{"anvil: 2 warnings in 1 of 1 workflow files"},
		},
		{
			name:       "labels from --label",
			fixture:    "lint/repo",
			args:       []string{"-C", "REPO", "--label", "docker:docker://node:20", "REPO/.forgejo/workflows/ci.yml"},
			wantCode:   ExitOK,
			wantStdout: []string{`.forgejo/workflows/ci.yml:5:23: warning: label "gpu" is not a label of this runner (it has: docker)`},
		},
		{
			name:      "labels from a config file",
			fixture:   "lint/repo",
			args:      []string{"-C", "REPO", "-c", "testdata/lint/runner/config.yaml", "REPO/.forgejo/workflows/ci.yml"},
			wantCode:  ExitOK,
			notStdout: []string{"runner-label"},
		},
		{
			name:       "labels from the registration file of a config file",
			fixture:    "lint/repo",
			args:       []string{"-C", "REPO", "-c", "testdata/lint/runner/registered.yaml", "REPO/.forgejo/workflows/ci.yml"},
			wantCode:   ExitOK,
			wantStdout: []string{`label "gpu" is not a label of this runner (it has: docker)`},
			notStdout:  []string{"not-a-real-token"},
		},
		{
			name:       "known configuration variables",
			fixture:    "lint/repo",
			args:       []string{"-C", "REPO", "--var", "REGISTRY=r.example", "REPO/.forgejo/workflows/ci.yml"},
			wantCode:   ExitOK,
			wantStdout: []string{`warning: undefined configuration variable "registri". defined configuration variables are "REGISTRY" [expression]`},
		},
		{
			name:       "bad format",
			fixture:    "lint/repo",
			args:       []string{"-C", "REPO", "--format", "xml"},
			wantCode:   ExitUsage,
			wantStderr: []string{`--format "xml": use text or json`},
		},
		{
			name:       "missing path",
			fixture:    "lint/repo",
			args:       []string{"-C", "REPO", "REPO/nope.yml"},
			wantCode:   ExitUsage,
			wantStderr: []string{"nope.yml: no such file or directory"},
		},
		{
			name:       "no workflow directory",
			fixture:    "lint/runner",
			args:       []string{"-C", "REPO"},
			wantCode:   ExitUsage,
			wantStderr: []string{"no workflow directory under", "or give the files to check"},
		},
		{
			name:       "missing config file",
			fixture:    "lint/repo",
			args:       []string{"-C", "REPO", "-c", "REPO/nope.yaml"},
			wantCode:   ExitUsage,
			wantStderr: []string{"or pass --label"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := copyFixture(t, tt.fixture)
			args := []string{"lint"}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "REPO", repo))
			}
			proc, stdout, stderr := testProcess(nil)
			code := Main(t.Context(), proc, args)
			if code != tt.wantCode {
				t.Errorf("anvil %q exited %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.wantCode, stdout, stderr)
			}
			if tt.golden != "" {
				checkGolden(t, tt.golden, stdout.Bytes())
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("anvil %q stdout lacks %q:\n%s", tt.args, w, stdout)
				}
			}
			for _, w := range tt.notStdout {
				if strings.Contains(stdout.String(), w) {
					t.Errorf("anvil %q stdout shows %q:\n%s", tt.args, w, stdout)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("anvil %q stderr lacks %q:\n%s", tt.args, w, stderr)
				}
			}
		})
	}
}

// TestLintJSONShape checks that --format json is an array of findings
// with every field set, and an empty array when nothing is found.
func TestLintJSONShape(t *testing.T) {
	t.Parallel()
	for _, fixture := range []string{"lint/repo", "lint/clean"} {
		repo := copyFixture(t, fixture)
		proc, stdout, _ := testProcess(nil)
		Main(t.Context(), proc, []string{"lint", "-C", repo, "--format", "json"})
		var got []console.FindingJSON
		if err := json.Unmarshal(stdout.Bytes(), &got); err != nil || got == nil {
			t.Fatalf("anvil lint --format json printed %q, not a JSON array: %v", stdout, err)
		}
		for _, f := range got {
			if f.File == "" || filepath.IsAbs(f.File) || f.Line < 1 || f.Column < 1 || f.Message == "" || f.Rule == "" ||
				(f.Severity != plan.SeverityError && f.Severity != plan.SeverityWarning) {
				t.Errorf("finding %+v lacks a field or has an absolute file name", f)
			}
		}
		if fixture == "lint/clean" && len(got) != 0 {
			t.Errorf("anvil lint --format json on a clean repository = %v, want []", got)
		}
	}
}
