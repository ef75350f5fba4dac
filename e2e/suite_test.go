package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// suiteTimeout bounds a whole suite, runner start and every run included.
const suiteTimeout = 4 * time.Minute

// workflowDir is where the suite pushes testdata/workflows to.
const workflowDir = ".gitea/workflows/"

// runSuite sets the secret and variable, registers and starts anvil,
// triggers every scenario's run, and checks each run in a subtest. It
// returns what the forge showed of each scenario's run, by scenario name,
// for comparison with another forge: nil when it could not start the runs.
func runSuite(t *testing.T, f Forge, scenarios []scenario) map[string]observed {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), suiteTimeout)
	t.Cleanup(cancel)

	if err := f.SetSecret(ctx, "DEPLOY_KEY", deployKey); err != nil {
		t.Fatal(err)
	}
	if err := f.SetVariable(ctx, "DEPLOY_ENV", deployEnv); err != nil {
		t.Fatal(err)
	}
	startRunner(ctx, t, f)

	files, err := workflowFiles()
	if err != nil {
		t.Fatal(err)
	}
	sha, err := f.Push(ctx, "main", files)
	if err != nil {
		t.Fatal(err)
	}
	var pr int64
	for _, sc := range scenarios {
		switch sc.event {
		case onDispatch:
			err = f.Dispatch(ctx, sc.workflow, "main", sc.inputs)
		case onPullRequest:
			if pr != 0 {
				t.Fatalf("scenario %q: one pull_request scenario per suite", sc.name)
			}
			if _, err = f.Push(ctx, "feature", map[string]string{"CHANGES.md": "a change\n"}); err == nil {
				pr, err = f.OpenPR(ctx, "feature", "main")
			}
		}
		if err != nil {
			t.Fatalf("scenario %q: %v", sc.name, err)
		}
	}

	vars := strings.NewReplacer("$SHA", sha, "$PR", strconv.FormatInt(pr, 10))
	norm := newNormaliser(f.URL(), sha)
	seen := map[string]observed{}
	// The runs go on at the same time on the forge; the subtests wait for
	// them one after the other, so that they are done when this returns.
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			seen[sc.name] = norm.observed(checkRun(ctx, t, f, sc, vars))
		})
	}
	return seen
}

// workflowFiles returns testdata/workflows as repository files.
func workflowFiles() (map[string]string, error) {
	entries, err := os.ReadDir(filepath.Join("testdata", "workflows"))
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata", "workflows", e.Name()))
		if err != nil {
			return nil, err
		}
		files[workflowDir+e.Name()] = string(b)
	}
	return files, nil
}

// checkRun waits for sc's run, compares its jobs and their logs with
// sc's, and returns what it saw.
func checkRun(ctx context.Context, t *testing.T, f Forge, sc scenario, vars *strings.Replacer) observed {
	run, err := f.WaitRun(ctx, sc.workflow, sc.event)
	if err != nil {
		t.Error(err)
		return observed{Run: "not ended"}
	}
	jobs, err := f.Jobs(ctx, run)
	if err != nil {
		t.Error(err)
		return observed{Run: run.Conclusion}
	}
	seen := observed{Run: run.Conclusion}
	got, want := map[string]string{}, map[string]string{}
	for _, j := range jobs {
		got[j.Name] = j.Conclusion
	}
	for _, w := range sc.jobs {
		want[w.name] = w.conclusion
	}
	concluded := cmp.Diff(got, want) == ""
	if !concluded {
		t.Errorf("%s (%s): job conclusions (-got +want):\n%s", sc.workflow, sc.event, cmp.Diff(got, want))
	}

	for _, j := range jobs {
		w := wantOf(sc, j.Name)
		log, err := f.Log(ctx, j)
		seen.Jobs = append(seen.Jobs, jobSeen{Name: j.Name, Conclusion: j.Conclusion, Log: logLines(log, err)})
		if err != nil {
			// A job the forge skipped itself never had a runner, or a
			// log; where it should not have been skipped, the
			// conclusions above already say so.
			if j.Conclusion != "skipped" {
				t.Errorf("job %q: %v", j.Name, err)
			}
			continue
		}
		bad := false
		if strings.Contains(log, deployKey) {
			t.Errorf("job %q: the log shows the secret DEPLOY_KEY unmasked", j.Name)
			bad = true
		}
		for _, s := range w.log {
			if s = vars.Replace(s); !strings.Contains(log, s) {
				t.Errorf("job %q: the log lacks %q", j.Name, s)
				bad = true
			}
		}
		for _, s := range w.notLog {
			if s = vars.Replace(s); strings.Contains(log, s) {
				t.Errorf("job %q: the log shows %q", j.Name, s)
				bad = true
			}
		}
		if bad || !concluded && j.Conclusion != w.conclusion {
			t.Logf("job %q (%s) log:\n%s", j.Name, j.Conclusion, strings.ReplaceAll(log, deployKey, "<DEPLOY_KEY>"))
		}
	}
	return seen
}

// wantOf is the scenario's job called name, or a zero wantJob.
func wantOf(sc scenario, name string) wantJob {
	for _, w := range sc.jobs {
		if w.name == name {
			return w
		}
	}
	return wantJob{}
}
