package giteatest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Run is a workflow run as GET /repos/{owner}/{repo}/actions/runs lists
// it (Gitea's fields, named as GitHub names them).
type Run struct {
	ID         int64  `json:"id"`
	Path       string `json:"path"`  // workflow file and ref: "needs.yml@refs/heads/main"
	Event      string `json:"event"` // push, workflow_dispatch, pull_request, ...
	Status     string `json:"status"`
	Conclusion string `json:"conclusion"`
	HeadBranch string `json:"head_branch"`
	HeadSHA    string `json:"head_sha"`
	RunNumber  int64  `json:"run_number"`
}

// Workflow is the run's workflow file name, e.g. "needs.yml".
func (r Run) Workflow() string {
	file, _, _ := strings.Cut(r.Path, "@")
	return file
}

// Done reports whether the run has ended.
func (r Run) Done() bool { return r.Status == "completed" }

// Job is a job of a run as GET .../actions/runs/{run}/jobs lists it.
// Status is queued (a runner may take it), waiting (blocked on needs),
// in_progress or completed; Conclusion (success, failure, cancelled,
// skipped) is set once completed.
type Job struct {
	ID         int64    `json:"id"`
	RunID      int64    `json:"run_id"`
	Name       string   `json:"name"`
	Labels     []string `json:"labels"`
	Status     string   `json:"status"`
	Conclusion string   `json:"conclusion"`
	RunnerName string   `json:"runner_name"`
	Steps      []Step   `json:"steps"`
}

// Step is a step of a Job as the runner reported it.
type Step struct {
	Name       string `json:"name"`
	Number     int64  `json:"number"`
	Conclusion string `json:"conclusion"`
}

// pageSize is Gitea's largest page (MAX_RESPONSE_ITEMS).
const pageSize = 50

// Runs lists the repository's workflow runs, newest first.
func (r *Repo) Runs(ctx context.Context) ([]Run, error) {
	var all []Run
	for page := 1; ; page++ {
		var reply struct {
			Runs  []Run `json:"workflow_runs"`
			Total int   `json:"total_count"`
		}
		path := r.path("/actions/runs?limit=" + strconv.Itoa(pageSize) + "&page=" + strconv.Itoa(page))
		if err := r.s.API(ctx, "GET", path, nil, &reply); err != nil {
			return nil, fmt.Errorf("listing the runs of %s: %w", r.FullName(), err)
		}
		all = append(all, reply.Runs...)
		if len(reply.Runs) < pageSize || len(all) >= reply.Total {
			return all, nil
		}
	}
}

// RunJobs lists the jobs of run id.
func (r *Repo) RunJobs(ctx context.Context, id int64) ([]Job, error) {
	var all []Job
	for page := 1; ; page++ {
		var reply struct {
			Jobs  []Job `json:"jobs"`
			Total int   `json:"total_count"`
		}
		path := r.path("/actions/runs/" + strconv.FormatInt(id, 10) + "/jobs?limit=" + strconv.Itoa(pageSize) + "&page=" + strconv.Itoa(page))
		if err := r.s.API(ctx, "GET", path, nil, &reply); err != nil {
			return nil, fmt.Errorf("listing the jobs of run %d of %s: %w", id, r.FullName(), err)
		}
		all = append(all, reply.Jobs...)
		if len(reply.Jobs) < pageSize || len(all) >= reply.Total {
			return all, nil
		}
	}
}

// JobLog returns the log of job id: one line per row the runner sent,
// without the time Gitea stores in front of each. A job the forge never
// gave a runner (skipped by the server) has no log: that is an error.
func (r *Repo) JobLog(ctx context.Context, id int64) (string, error) {
	b, err := r.s.apiRaw(ctx, "GET", r.path("/actions/jobs/"+strconv.FormatInt(id, 10)+"/logs"), nil)
	if err != nil {
		return "", fmt.Errorf("reading the log of job %d of %s: %w", id, r.FullName(), err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	for i, l := range lines {
		if stamp, rest, ok := strings.Cut(l, " "); ok {
			if _, err := time.Parse(time.RFC3339Nano, stamp); err == nil {
				lines[i] = rest
			}
		}
	}
	return strings.Join(lines, ""), nil
}
