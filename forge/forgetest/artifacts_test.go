package forgetest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"

	"codeberg.org/anvil-ci/anvil/artifacts/artifactclient"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// artifactClient is what a job of task gets: the runner's variables from
// the task's context, pointed at the forge as Gitea's runner points them.
func artifactClient(srv *forgetest.Server, task *runnerv1.Task) *artifactclient.Client {
	ctx := task.GetContext().GetFields()
	return &artifactclient.Client{
		RuntimeURL: srv.URL() + "/api/actions_pipeline/", ResultsURL: srv.URL(),
		Token: ctx["gitea_runtime_token"].GetStringValue(), RunID: ctx["run_id"].GetStringValue(),
	}
}

func TestArtifactsPassBetweenJobsOfARun(t *testing.T) {
	t.Parallel()
	srv := forgetest.New(t)
	c, _ := runner(t, srv, "ubuntu-latest")
	first := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
	second := srv.AddTask(forgetest.TaskSpec{
		WorkflowYAML: "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    needs: build\n    steps: [{run: x}]\n",
		Needs:        map[string]forgetest.Need{"build": {Task: first}},
	})
	build, _ := c.fetch(t, 0)
	up := artifactClient(srv, build)
	dir := t.TempDir()
	if err := writeFile(dir, "out.txt", "built"); err != nil {
		t.Fatal(err)
	}
	if err := up.UploadV3(t.Context(), "v3", dir, 0); err != nil {
		t.Fatalf("UploadV3: %v", err)
	}
	if _, err := up.UploadV4(t.Context(), "v4", strings.NewReader("zip"), 0); err != nil {
		t.Fatalf("UploadV4: %v", err)
	}
	c.update(t, &runnerv1.TaskState{Id: first, Result: runnerv1.Result_RESULT_SUCCESS}, nil)
	if err := up.UploadV3(t.Context(), "late", dir, 0); err == nil || !strings.Contains(err.Error(), "HTTP 500: Error runner api getting task: task is not running") {
		t.Errorf("UploadV3 with the finished task's token = %v, want Gitea's HTTP 500 task is not running", err)
	}

	deploy, _ := c.fetch(t, 0)
	if deploy.GetId() != second {
		t.Fatalf("fetched %d, want task %d", deploy.GetId(), second)
	}
	down := artifactClient(srv, deploy)
	out := t.TempDir()
	if err := down.DownloadV3(t.Context(), "v3", out); err != nil {
		t.Fatalf("DownloadV3: %v", err)
	}
	if got, err := readFile(out, "out.txt"); err != nil || got != "built" {
		t.Errorf("downloaded out.txt = %q, %v, want built", got, err)
	}
	var zip bytes.Buffer
	if err := down.DownloadV4(t.Context(), "v4", &zip); err != nil || zip.String() != "zip" {
		t.Errorf("DownloadV4 = %q, %v, want zip", zip.String(), err)
	}

	// A task of another run sees none of them.
	other := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
	task, _ := c.fetch(t, 0)
	if task.GetId() != other {
		t.Fatalf("fetched %d, want task %d", task.GetId(), other)
	}
	if list, err := artifactClient(srv, task).ListV4(t.Context(), ""); err != nil || len(list) != 0 {
		t.Errorf("another run's ListV4 = %v, %v, want none", list, err)
	}
}

func writeFile(dir, name, content string) error {
	return os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
}

func readFile(dir, name string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	return string(data), err
}
