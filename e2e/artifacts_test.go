package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// bigSum is the sha256 of big.bin of testdata/artifacts/artifacts.yml: 9
// MiB and a bit, more than one 8 MiB chunk (v3) or block (v4).
func bigSum() string {
	const size = 9437191
	sum := sha256.Sum256(bytes.Repeat([]byte("anvil-artifact\n"), size/15+1)[:size])
	return hex.EncodeToString(sum[:])
}

// TestGiteaArtifacts: on a real Gitea 1.25.4, a push's job uploads
// artifacts to Gitea's own artifact API v3 and v4 with the task's runtime
// token and saves a cache entry in anvil's cache server; the job that
// needs it downloads both with the same bytes; Gitea's REST API lists
// the v4 artifact with that content; the next push's job restores the
// cache entry (a hit).
func TestGiteaArtifacts(t *testing.T) {
	t.Parallel()
	g := newGitea(t)
	ctx, cancel := context.WithTimeout(t.Context(), suiteTimeout)
	t.Cleanup(cancel)
	bin := bins.JobClient(t)
	if err := g.SetVariable(ctx, "JOBCLIENT", bin); err != nil {
		t.Fatal(err)
	}
	startRunner(ctx, t, g)
	workflow, err := os.ReadFile(filepath.Join("testdata", "artifacts", "artifacts.yml"))
	if err != nil {
		t.Fatal(err)
	}

	probe, err := os.ReadFile(filepath.Join("testdata", "artifacts", "probe.yml"))
	if err != nil {
		t.Fatal(err)
	}
	sha, err := g.Push(ctx, "main", map[string]string{
		workflowDir + "artifacts.yml": string(workflow), workflowDir + "probe.yml": string(probe), "ROUND": "1\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	run := g.waitRunAt(ctx, t, "artifacts.yml", sha)
	id := strconv.FormatInt(run.ID, 10)
	logs := g.successfulJobs(ctx, t, run, "upload", "download")
	for job, want := range map[string][]string{
		"upload":   {"upload-v3 art-v3: done", "upload-v4 art-v4: done", "cache miss: deps", "cache saved: deps"},
		"download": {"got-v3: small of run " + id + ", big.bin sha256 " + bigSum(), "got-v4: small of run " + id + ", big.bin sha256 " + bigSum()},
	} {
		for _, w := range want {
			if !strings.Contains(logs[job], w) {
				t.Errorf("the first push's job %s: the log lacks %q:\n%s", job, w, logs[job])
			}
		}
	}
	checkListedArtifact(ctx, t, g, run.ID)
	t.Run("the same replies as anvil exec's artifact server", func(t *testing.T) {
		compareProbes(ctx, t, g, bin, string(probe))
	})

	sha, err = g.Push(ctx, "main", map[string]string{"ROUND": "2\n"})
	if err != nil {
		t.Fatal(err)
	}
	logs = g.successfulJobs(ctx, t, g.waitRunAt(ctx, t, "artifacts.yml", sha), "upload", "download")
	for _, w := range []string{"cache hit: deps", "restored sha256 " + bigSum()} {
		if !strings.Contains(logs["upload"], w) {
			t.Errorf("the next push's job upload: the log lacks %q:\n%s", w, logs["upload"])
		}
	}
}

// waitRunAt waits until the run of workflow at commit sha and its jobs
// have ended.
func (g *giteaForge) waitRunAt(ctx context.Context, t *testing.T, workflow, sha string) Run {
	t.Helper()
	for {
		runs, err := g.repo.Runs(ctx)
		if err != nil && ctx.Err() == nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.Workflow() == workflow && r.HeadSHA == sha && r.Done() && g.jobsDone(ctx, r.ID) {
				return Run{ID: r.ID, Workflow: workflow, Event: r.Event, Conclusion: r.Conclusion}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for the run of %s at %s: %v; runs: %+v", workflow, sha, context.Cause(ctx), runs)
		case <-time.After(pollInterval):
		}
	}
}

// successfulJobs returns the logs of run's jobs by name, failing t unless
// the jobs are exactly names and all succeeded.
func (g *giteaForge) successfulJobs(ctx context.Context, t *testing.T, run Run, names ...string) map[string]string {
	t.Helper()
	jobs, err := g.Jobs(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	logs := map[string]string{}
	failed := len(jobs) != len(names)
	for _, j := range jobs {
		if logs[j.Name], err = g.Log(ctx, j); err != nil {
			t.Errorf("job %s: %v", j.Name, err)
		}
		failed = failed || j.Conclusion != "success"
	}
	if failed {
		t.Fatalf("run %d: jobs %+v, want %v all successful; logs:\n%s", run.ID, jobs, names, logs)
	}
	return logs
}

// checkListedArtifact checks that Gitea's REST API lists the v4 artifact
// of run runID (Gitea lists v4 artifacts only) and that its zip, as a user
// downloads it, holds big.bin.
func checkListedArtifact(ctx context.Context, t *testing.T, g *giteaForge, runID int64) {
	t.Helper()
	var list struct {
		Total     int64 `json:"total_count"`
		Artifacts []struct {
			ID          int64  `json:"id"`
			Name        string `json:"name"`
			SizeInBytes int64  `json:"size_in_bytes"`
			WorkflowRun struct {
				ID int64 `json:"id"`
			} `json:"workflow_run"`
		} `json:"artifacts"`
	}
	path := "/repos/" + g.repo.FullName() + "/actions/artifacts"
	if err := g.srv.API(ctx, http.MethodGet, path, nil, &list); err != nil {
		t.Fatal(err)
	}
	var zipID int64
	for _, a := range list.Artifacts {
		if a.Name == "art-v4" && a.WorkflowRun.ID == runID && a.SizeInBytes > 0 {
			zipID = a.ID
		}
	}
	if zipID == 0 {
		t.Fatalf("GET %s = %+v, want art-v4 of run %d", path, list, runID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/api/v1%s/%d/zip", g.srv.URL, path, zipID), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+g.srv.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("downloading art-v4 over REST: %s, %v: %.300s", resp.Status, err, body)
	}
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("the zip of art-v4: %v", err)
	}
	for _, f := range zr.File {
		if f.Name != "big.bin" {
			continue
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		_, err = io.Copy(h, r)
		r.Close()
		if got := hex.EncodeToString(h.Sum(nil)); err != nil || got != bigSum() {
			t.Errorf("big.bin of art-v4 over REST: sha256 %s, %v, want %s", got, err, bigSum())
		}
		return
	}
	t.Errorf("the zip of art-v4 over REST lacks big.bin")
}

// probeLine is a line jobclient probe prints, in a log.
var probeLine = regexp.MustCompile(`probe v[34] [^:]+: .*`)

// probeLines returns the probe lines of a log.
func probeLines(log string) []string {
	var out []string
	for line := range strings.Lines(log) {
		if m := probeLine.FindString(strings.TrimRight(line, "\r\n")); m != "" {
			out = append(out, strings.TrimSpace(m))
		}
	}
	return out
}

// compareProbes runs testdata/artifacts/probe.yml on Gitea (dispatched)
// and through anvil exec with its artifact server, and compares what
// jobclient probe printed: each request's status and reply shape. Gitea
// is the authority.
func compareProbes(ctx context.Context, t *testing.T, g *giteaForge, jobclient, workflow string) {
	if err := g.Dispatch(ctx, "probe.yml", "main", nil); err != nil {
		t.Fatal(err)
	}
	run, err := g.WaitRun(ctx, "probe.yml", onDispatch)
	if err != nil {
		t.Fatal(err)
	}
	logs := g.successfulJobs(ctx, t, run, "probe")
	gitea := probeLines(logs["probe"])

	bin := bins.Anvil(t)
	repo := t.TempDir()
	file := filepath.Join(repo, ".gitea", "workflows", "probe.yml")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(workflow), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, "exec", "workflow_dispatch", "-C", repo, "-W", file,
		"--artifact-server-path", filepath.Join(t.TempDir(), "artifacts"), "--var", "JOBCLIENT="+jobclient)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C.UTF-8"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("anvil exec of probe.yml: %v\n%s", err, out)
	}
	anvil := probeLines(string(out))
	if len(gitea) == 0 {
		t.Fatalf("Gitea's probe printed nothing; its log:\n%s", logs["probe"])
	}
	if diff := cmp.Diff(anvil, gitea); diff != "" {
		t.Errorf("anvil exec's artifact server answers the probe otherwise than Gitea (-anvil +gitea):\n%s", diff)
	}
}
