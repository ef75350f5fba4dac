package cmd

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/internal/interrupt"
)

const fleetQueueLong = `Read the jobs queued on the forge (waiting for a runner, not blocked on
needs) through its REST API, and print them per runs-on: the signal to
scale a fleet of runners on (see docs/fleet.md).

With --serve ADDR it serves the same as JSON on http://ADDR/queue instead,
re-reading the forge at most every --refresh, for KEDA's metrics-api
scaler or a cron script:

  {"queued": 5, "oldest_queued_seconds": 180,
   "labels": {"ubuntu-latest": {"queued": 2, "oldest_queued_seconds": 180}, ...},
   "groups": {"gpu,self-hosted": {"queued": 2, ...}, ...},
   "runner": {"labels": ["ubuntu-latest"], "queued": 2, ...}}

"labels" counts the jobs naming each label, "groups" the jobs per runs-on
set, and "runner" (with --runner-labels, or ?runner_labels=a,b on the URL)
the jobs a runner with those labels could take: every runs-on label among
them, as the forge matches.

It needs Gitea 1.25 or later (Forgejo has no such API) and an access token:
an admin's for the whole instance, or one with read access to --org or
--repo. Give it with --token-file or ANVIL_FORGE_TOKEN.`

const fleetQueueExample = `  ANVIL_FORGE_TOKEN=$(cat admin-token) anvil fleet queue --instance https://gitea.example
  anvil fleet queue --instance https://gitea.example --token-file token --org acme --runner-labels ubuntu-latest
  anvil fleet queue --instance https://gitea.example --token-file token --serve :9102
  curl -s 'http://localhost:9102/queue?runner_labels=ubuntu-latest' | jq .runner.queued`

// forgeTokenEnv names the environment variable with the REST API token.
const forgeTokenEnv = "ANVIL_FORGE_TOKEN"

type fleetQueueOptions struct {
	instance     string
	tokenFile    string
	org, repo    string
	runnerLabels []string
	json         bool
	serve        string
	refresh      time.Duration
}

func newFleetCommand(proc Process) *cobra.Command {
	c := &cobra.Command{
		Use:   "fleet",
		Short: "Operate a fleet of runners: the forge's queue as an autoscaling signal",
		Args:  rangeArgs(0, 0),
	}
	o := &fleetQueueOptions{}
	q := &cobra.Command{
		Use:     "queue",
		Short:   "Print (or serve as JSON) the jobs queued on the forge per runs-on label",
		Long:    fleetQueueLong,
		Example: fleetQueueExample,
		Args:    rangeArgs(0, 0),
		RunE: func(c *cobra.Command, _ []string) error {
			return runFleetQueue(c.Context(), proc, o)
		},
	}
	f := q.Flags()
	f.StringVar(&o.instance, "instance", "", "the forge's URL, e.g. https://gitea.example (required)")
	f.StringVar(&o.tokenFile, "token-file", "", "read the access token from this file (else "+forgeTokenEnv+")")
	f.StringVar(&o.org, "org", "", "only this organization's jobs")
	f.StringVar(&o.repo, "repo", "", "only this repository's jobs (owner/name)")
	f.StringSliceVar(&o.runnerLabels, "runner-labels", nil, "also count the jobs a runner with these labels could take")
	f.BoolVar(&o.json, "json", false, "print JSON (what --serve serves)")
	f.StringVar(&o.serve, "serve", "", "serve the queue as JSON on this address (GET /queue) until interrupted")
	f.DurationVar(&o.refresh, "refresh", 10*time.Second, "with --serve, read the forge at most this often")
	f.SortFlags = false
	c.AddCommand(q)
	return c
}

// fleetQueueReply is the JSON of anvil fleet queue.
type fleetQueueReply struct {
	forge.Queue
	Runner *runnerQueue `json:"runner,omitempty"`
}

type runnerQueue struct {
	Labels []string `json:"labels"`
	forge.LabelQueue
}

func runFleetQueue(ctx context.Context, proc Process, o *fleetQueueOptions) error {
	token := strings.TrimSpace(proc.getenv(forgeTokenEnv))
	if o.tokenFile != "" {
		data, err := os.ReadFile(o.tokenFile)
		if err != nil {
			return usageErrorf("--token-file: %w", err)
		}
		token = strings.TrimSpace(string(data))
	}
	if o.instance == "" || token == "" {
		return usageErrorf("anvil fleet queue needs --instance and an access token (--token-file or %s)", forgeTokenEnv)
	}
	if o.org != "" && o.repo != "" {
		return usageErrorf("give --org or --repo, not both")
	}
	cfg := forge.QueueConfig{Address: o.instance, Token: token, Org: o.org, Repo: o.repo}
	if o.serve != "" {
		return serveFleetQueue(ctx, proc, cfg, o)
	}
	jobs, err := forge.QueuedJobs(ctx, cfg)
	if err != nil {
		return err
	}
	reply := queueReply(jobs, o.runnerLabels, proc.now())
	if o.json {
		enc := json.NewEncoder(proc.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(reply)
	}
	printQueue(proc, reply)
	return nil
}

func queueReply(jobs []forge.QueuedJob, runnerLabels []string, now time.Time) fleetQueueReply {
	r := fleetQueueReply{Queue: forge.SummarizeQueue(jobs, now)}
	if len(runnerLabels) > 0 {
		r.Runner = &runnerQueue{Labels: runnerLabels, LabelQueue: forge.ForRunner(jobs, runnerLabels, now)}
	}
	return r
}

// printQueue prints one line per runs-on set, the most queued first.
func printQueue(proc Process, r fleetQueueReply) {
	w := tabwriter.NewWriter(proc.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "QUEUED\tOLDEST\tRUNS-ON")
	groups := slices.Collect(func(yield func(string) bool) {
		for k := range r.Groups {
			if !yield(k) {
				return
			}
		}
	})
	slices.SortFunc(groups, func(a, b string) int {
		return cmp.Or(cmp.Compare(r.Groups[b].Queued, r.Groups[a].Queued), cmp.Compare(a, b))
	})
	for _, g := range groups {
		fmt.Fprintf(w, "%d\t%s\t%s\n", r.Groups[g].Queued, age(r.Groups[g].OldestSeconds), cmp.Or(g, "(none)"))
	}
	w.Flush()
	fmt.Fprintf(proc.Stdout, "%d jobs queued", r.Queued)
	if r.Queued > 0 {
		fmt.Fprintf(proc.Stdout, "; the oldest for %s", age(r.OldestSeconds))
	}
	fmt.Fprintln(proc.Stdout)
	if r.Runner != nil {
		fmt.Fprintf(proc.Stdout, "%d of them can run on a runner with labels %s\n", r.Runner.Queued, strings.Join(r.Runner.Labels, ","))
	}
}

func age(seconds float64) string {
	return (time.Duration(seconds) * time.Second).String()
}

// queueCache reads the forge at most every refresh, whoever asks.
type queueCache struct {
	cfg     forge.QueueConfig
	refresh time.Duration
	now     func() time.Time

	mu   sync.Mutex
	at   time.Time
	jobs []forge.QueuedJob
	err  error
}

func (c *queueCache) get(ctx context.Context) ([]forge.QueuedJob, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.at.IsZero() || c.now().Sub(c.at) >= c.refresh {
		c.jobs, c.err = forge.QueuedJobs(ctx, c.cfg)
		c.at = c.now()
	}
	return c.jobs, c.err
}

// serveFleetQueue serves /queue and /healthz until ctx ends.
func serveFleetQueue(ctx context.Context, proc Process, cfg forge.QueueConfig, o *fleetQueueOptions) error {
	ln, err := net.Listen("tcp", o.serve)
	if err != nil {
		return usageErrorf("--serve %s: %w", o.serve, err)
	}
	cache := &queueCache{cfg: cfg, refresh: o.refresh, now: proc.now}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /queue", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		jobs, err := cache.get(r.Context())
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		labels := o.runnerLabels
		if v := r.URL.Query().Get("runner_labels"); v != "" {
			labels = splitList(v)
		}
		json.NewEncoder(w).Encode(queueReply(jobs, labels, proc.now()))
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(proc.Stdout, "http://%s/queue\n", ln.Addr())
	interrupt.SetNotes(ctx, "anvil: stopping the queue server", "")
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving the queue: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		<-errc
		return nil
	}
}
