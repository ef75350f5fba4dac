package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"code.gitea.io/sdk/gitea"
)

// QueueConfig says which forge's queue to read and with what rights.
type QueueConfig struct {
	// Address is the forge's URL; Token an access token (read:admin for
	// the whole instance, read:organization or read:repository for one
	// organization or repository).
	Address, Token string
	// Org or Repo ("owner/name") narrow the queue to an organization's or a
	// repository's jobs; neither means the whole instance (an admin token).
	Org, Repo string
	// HTTPClient sends the requests (nil: a client of its own).
	HTTPClient *http.Client
}

// QueuedJob is a job waiting on the forge for a runner with its labels.
type QueuedJob struct {
	ID, RunID int64
	Name      string
	// Labels are the job's runs-on.
	Labels  []string
	Created time.Time
}

// queuePageSize is the page size asked for; the forge may answer less
// (its MAX_RESPONSE_ITEMS, 50 by default).
const queuePageSize = 50

// ErrNoQueueAPI is wrapped when the forge does not serve the actions jobs
// API: Gitea before 1.25, and Forgejo.
var ErrNoQueueAPI = errors.New("the forge has no actions jobs API (GET /api/v1/.../actions/jobs): it needs Gitea 1.25 or later; Forgejo does not have it")

// QueuedJobs lists the jobs the forge could hand to a runner now (status
// queued: not blocked on needs, not running), through its REST API (Gitea
// 1.25's /admin, /orgs/{org} or /repos/{owner}/{repo} /actions/jobs).
func QueuedJobs(ctx context.Context, cfg QueueConfig) ([]QueuedJob, error) {
	opts := []gitea.ClientOption{gitea.SetContext(ctx), gitea.SetToken(cfg.Token),
		// The SDK ties these calls to Gitea 1.26; 1.25 serves them.
		gitea.SetGiteaVersion("")}
	if cfg.HTTPClient != nil {
		opts = append(opts, gitea.SetHTTPClient(cfg.HTTPClient))
	}
	c, err := gitea.NewClient(strings.TrimRight(cfg.Address, "/"), opts...)
	if err != nil {
		return nil, fmt.Errorf("reading the queue of %s: %w", cfg.Address, err)
	}
	list := c.ListAdminActionJobs
	switch {
	case cfg.Repo != "":
		owner, name, ok := strings.Cut(cfg.Repo, "/")
		if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
			return nil, fmt.Errorf("repository %q: write it as owner/name", cfg.Repo)
		}
		list = func(o gitea.ListRepoActionJobsOptions) (*gitea.ActionWorkflowJobsResponse, *gitea.Response, error) {
			return c.ListRepoActionJobs(owner, name, o)
		}
	case cfg.Org != "":
		list = func(o gitea.ListRepoActionJobsOptions) (*gitea.ActionWorkflowJobsResponse, *gitea.Response, error) {
			return c.ListOrgActionJobs(cfg.Org, o)
		}
	}
	var out []QueuedJob
	for page := 1; ; page++ {
		resp, r, err := list(gitea.ListRepoActionJobsOptions{
			ListOptions: gitea.ListOptions{Page: page, PageSize: queuePageSize}, Status: "queued",
		})
		if err != nil {
			return nil, queueError(cfg, r, err)
		}
		for _, j := range resp.Jobs {
			if j.Status != "" && j.Status != "queued" {
				continue
			}
			out = append(out, QueuedJob{ID: j.ID, RunID: j.RunID, Name: j.Name, Labels: slices.Clone(j.Labels), Created: j.CreatedAt})
		}
		if len(resp.Jobs) == 0 || int64(len(out)) >= resp.TotalCount || page >= 1000 {
			return out, nil
		}
	}
}

// queueError explains a failed listing.
func queueError(cfg QueueConfig, r *gitea.Response, err error) error {
	scope := "the instance (an admin token is needed)"
	switch {
	case cfg.Repo != "":
		scope = "repository " + cfg.Repo
	case cfg.Org != "":
		scope = "organization " + cfg.Org
	}
	if r != nil {
		switch r.StatusCode {
		case http.StatusNotFound:
			return fmt.Errorf("reading the queue of %s at %s: %w (or %s does not exist)", scope, cfg.Address, ErrNoQueueAPI, scope)
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("reading the queue of %s at %s: the token is refused (HTTP %d): give an access token with read rights on %s", scope, cfg.Address, r.StatusCode, scope)
		}
	}
	return fmt.Errorf("reading the queue of %s at %s: %w", scope, cfg.Address, err)
}

// LabelQueue is the queue as a fleet's autoscaler sees it.
type LabelQueue struct {
	// Queued is the number of queued jobs; OldestSeconds how long the
	// oldest has waited (0 when none).
	Queued        int     `json:"queued"`
	OldestSeconds float64 `json:"oldest_queued_seconds"`
}

// Queue summarizes queued jobs at now.
type Queue struct {
	LabelQueue
	// Labels has, per runs-on label, the queued jobs that name it.
	Labels map[string]LabelQueue `json:"labels"`
	// Groups has the queued jobs per runs-on set (sorted, joined by ",").
	Groups map[string]LabelQueue `json:"groups"`
}

// SummarizeQueue counts jobs, all of them, by label and by runs-on set,
// with the age of the oldest.
func SummarizeQueue(jobs []QueuedJob, now time.Time) Queue {
	q := Queue{Labels: map[string]LabelQueue{}, Groups: map[string]LabelQueue{}}
	add := func(l LabelQueue, j QueuedJob) LabelQueue {
		l.Queued++
		if age := now.Sub(j.Created).Seconds(); age > l.OldestSeconds && !j.Created.IsZero() {
			l.OldestSeconds = age
		}
		return l
	}
	for _, j := range jobs {
		q.LabelQueue = add(q.LabelQueue, j)
		labels := slices.Clone(j.Labels)
		slices.Sort(labels)
		labels = slices.Compact(labels)
		for _, l := range labels {
			q.Labels[l] = add(q.Labels[l], j)
		}
		key := strings.Join(labels, ",")
		q.Groups[key] = add(q.Groups[key], j)
	}
	return q
}

// ForRunner counts the queued jobs a runner with labels (names or full
// name:schema labels) could take: those whose every runs-on label is
// among them, as the forge matches jobs to runners.
func ForRunner(jobs []QueuedJob, labels []string, now time.Time) LabelQueue {
	names := LabelNames(labels)
	var fit []QueuedJob
	for _, j := range jobs {
		ok := len(j.Labels) > 0
		for _, l := range j.Labels {
			if !slices.Contains(names, l) {
				ok = false
				break
			}
		}
		if ok {
			fit = append(fit, j)
		}
	}
	return SummarizeQueue(fit, now).LabelQueue
}
