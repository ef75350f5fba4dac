package runner

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/executortest"
	"codeberg.org/anvil-ci/anvil/executor/host"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// panickingBackend runs jobs on the host, except that a step with
// ANVIL_TEST_PANIC=backend in its environment panics inside the backend.
func panickingBackend(t *testing.T) *executortest.Backend {
	return executortest.New(t, executortest.Config{
		Inner: host.New(host.Config{Grace: 2 * time.Second}),
		Exec: func(ctx context.Context, inner executor.Environment, cmd executor.Command, out io.Writer) (int, error) {
			if slices.Contains(cmd.Env, "ANVIL_TEST_PANIC=backend") {
				panic("injected backend panic")
			}
			return inner.Exec(ctx, cmd, out)
		},
	})
}

// TestOneTaskFailingNeverTakesOthersDown runs, while a long job is in
// progress, a job whose backend panics, a job whose runtime hook panics
// in the runner, a job asking for a privileged container (which checking
// refuses before it starts) and a job whose workflow is the 1 MB probe of issue 11
// (parentheses nested 500k deep, which took 1 GB). Each fails alone with
// a row that says why; the long job and a later one succeed, and the
// runner keeps running.
func TestOneTaskFailingNeverTakesOthersDown(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	mark := filepath.Join(t.TempDir(), "go-on")
	tr := newTestRunner(t, srv, func(c *Config) {
		c.Capacity = 3
		c.Host = panickingBackend(t)
		c.Runtime = func(github map[string]any) (executor.Runtime, error) {
			if github["job"] == "runtime-panic" {
				panic("injected runtime panic")
			}
			return executor.Runtime{}, nil
		}
	})
	tr.start(t)
	job := func(id, body string) string {
		return "on: push\njobs:\n  " + id + ":\n    runs-on: self-hosted\n    steps:\n" + body
	}
	long := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: job("long",
		"      - run: echo long-started; while [ ! -e '"+mark+"' ]; do sleep 0.05; done; echo long-done\n")})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if rec, err := srv.WaitFor(ctx, long, func(r forgetest.TaskRecord) bool {
		return strings.Contains(rowsText(r), "\nlong-started\n")
	}); err != nil {
		t.Fatalf("the long job did not start: %v; rows:\n%s", err, rowsText(rec))
	}

	failing := []struct {
		name, payload, row string
	}{
		{"backend panic", job("backend", "      - run: echo not-reached\n        env: {ANVIL_TEST_PANIC: backend}\n"),
			"anvil failed while running this job (panic: injected backend panic), so the job failed; other jobs are not affected"},
		{"runner panic", job("runtime-panic", "      - run: echo not-reached\n"),
			"The runner failed while running this job (panic: injected runtime panic), so the job failed"},
		{"privileged container", "on: push\njobs:\n  priv:\n    runs-on: self-hosted\n    container: {image: alpine, options: --privileged}\n    steps:\n      - run: echo not-reached\n",
			"container.options asks for --privileged; the runner allows --privileged and --cap-add only with container.privileged"},
		{"parentheses 500k deep", job("deep", "      - run: echo ${{ "+strings.Repeat("(", 5e5)+"1"+strings.Repeat(")", 5e5)+" }}\n"),
			"nests parentheses and brackets more than 100 deep"},
	}
	ids := make([]int64, len(failing))
	for i, f := range failing {
		ids[i] = srv.AddTask(forgetest.TaskSpec{WorkflowYAML: f.payload})
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("runner log:\n%s", tr.logs.String())
		}
	})
	for i, f := range failing {
		rec := waitLogClosed(t, srv, ids[i])
		checkReport(t, rec)
		text := rowsText(rec)
		if rec.Status != forgetest.StatusFailure || !strings.Contains(text, f.row) || strings.Contains(text, "\nnot-reached\n") {
			t.Errorf("%s: status %s, want failure with %q; rows:\n%.3000s", f.name, rec.Status, f.row, text)
		}
	}
	if !strings.Contains(tr.logs.String(), "the runner panicked while running a job") || !strings.Contains(tr.logs.String(), "task_recover.go") {
		t.Errorf("the runner's log lacks the panic and its stack:\n%s", tr.logs.String())
	}

	if err := os.WriteFile(mark, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	after := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: job("after", "      - run: echo after-ran\n")})
	for id, row := range map[int64]string{long: "\nlong-done\n", after: "\nafter-ran\n"} {
		rec := waitLogClosed(t, srv, id)
		checkReport(t, rec)
		if rec.Status != forgetest.StatusSuccess || !strings.Contains(rowsText(rec), row) {
			t.Errorf("task %d: status %s, want success with %q; rows:\n%s", id, rec.Status, row, rowsText(rec))
		}
	}
	select {
	case err := <-tr.done:
		t.Fatalf("the runner stopped: %v", err)
	default:
	}
}
