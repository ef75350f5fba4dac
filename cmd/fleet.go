package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/fleet"
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
func runFleetQueue(ctx context.Context, proc Process, o *fleetQueueOptions) error {
	token, err := proc.secret("", o.tokenFile, "--token-file", forgeTokenEnv)
	if err != nil {
		return err
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
	reply := fleet.NewReply(jobs, o.runnerLabels, proc.now())
	if o.json {
		enc := json.NewEncoder(proc.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(reply)
	}
	return fleet.Print(proc.Stdout, reply)
}

// serveFleetQueue serves /queue and /healthz until ctx ends.
func serveFleetQueue(ctx context.Context, proc Process, cfg forge.QueueConfig, o *fleetQueueOptions) error {
	ln, err := net.Listen("tcp", o.serve)
	if err != nil {
		return usageErrorf("--serve %s: %w", o.serve, err)
	}
	fmt.Fprintf(proc.Stdout, "http://%s/queue\n", ln.Addr())
	interrupt.SetNotes(ctx, "anvil: stopping the queue server", "")
	return fleet.Serve(ctx, ln, fleet.ServeConfig{
		Forge: cfg, Refresh: o.refresh, RunnerLabels: o.runnerLabels, Now: proc.now,
	})
}
