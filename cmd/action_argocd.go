package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
)

const argocdSyncLong = `Sync an Argo CD application through Argo CD's REST API and wait for the
operation to end: to a revision, with prune, as a dry run, for some
resources only, with retries of a failed sync. When another operation is
already in progress, wait for it to end and ask again. With health: true,
also wait for the application to be Healthy. A 401 ends it at once; errors
quote Argo CD's message.

Authenticate with token (an API token), or username and password (a
session). Applications that sync automatically refuse a revision: push to
git (gitops-promote) and use argocd-wait with the commit instead.

Outputs: phase (Succeeded, Failed, Error), sync-status, health-status,
revision (the commit synced), message. Used by actions/argocd-sync.`

const argocdWaitLong = `Wait for an Argo CD application: until its operation has ended, it is at
the expected revision (e.g. gitops-promote's commit), Synced and Healthy.
The current state is checked first, so an application already there
returns at once. A Degraded application at the revision, or a failed sync
of it, fails the wait early; a 401 ends it at once; transient errors are
retried until the timeout.

Outputs: sync-status, health-status, revision, phase (of the last
operation). Used by actions/argocd-wait.`

const argocdExample = `  # Inside a job, as actions/argocd-sync and argocd-wait run them
  anvil action argocd-sync
  anvil action argocd-wait

  # By hand (the token from the environment, not the command line)
  INPUT_TOKEN=$ARGOCD_TOKEN anvil action argocd-wait \
    --server https://argocd.example.com --app web-prod --revision 3f2a9c1`

func argocdCommonInputs() []stepInput {
	return []stepInput{
		{"server", "Argo CD's address, e.g. https://argocd.example.com (https when no scheme is given)"},
		{"token", "API token; prefer INPUT_TOKEN over the flag"},
		{"username", "user name for a session, instead of token"},
		{"password", "password for a session; prefer INPUT_PASSWORD over the flag"},
		{"app", "the application: name, or namespace/name"},
		{"insecure", "skip TLS certificate verification: true or false"},
		{"interval", "time between reads of the application (default 2s)"},
	}
}

func argocdSyncInputs() []stepInput {
	return []stepInput{
		{"revision", "revision to sync to (default: the application's target revision)"},
		{"prune", "delete resources no longer in git: true or false"},
		{"dry-run", "preview the sync only: true or false"},
		{"resources", "resources to sync, one GROUP:KIND:[NAMESPACE/]NAME per line, e.g. apps:Deployment:web"},
		{"sync-options", "sync options, one per line, e.g. CreateNamespace=true"},
		{"retries", "how often Argo CD retries a failed sync (default 0)"},
		{"retry-backoff", "first pause between retries (default 5s)"},
		{"health", "also wait for Healthy after the sync: true or false (default false)"},
		{"timeout", "bound of the whole sync, waiting included (default 5m)"},
	}
}

func argocdWaitInputs() []stepInput {
	return []stepInput{
		{"revision", "commit the application must reach (full or at least 7 digits)"},
		{"health", "wait for Healthy: true or false (default true)"},
		{"sync", "wait for Synced: true or false (default true)"},
		{"fail-on-degraded", "fail at once when Degraded at the revision: true or false (default true)"},
		{"timeout", "bound of the wait (default 10m)"},
	}
}

// newArgocdSyncCommand returns anvil action argocd-sync.
func newArgocdSyncCommand(proc Process) *cobra.Command {
	c := &cobra.Command{Use: "argocd-sync", Short: "Sync an Argo CD application and wait for the operation",
		Long: argocdSyncLong, Example: argocdExample, Args: rangeArgs(0, 0)}
	in := bindStepInputs(proc, c, append(argocdCommonInputs(), argocdSyncInputs()...))
	c.RunE = func(c *cobra.Command, _ []string) error {
		return runArgocd(c.Context(), proc, in, "Argo CD sync", syncConfig, func(ctx context.Context, cl *argocd.Client, cfg argocd.SyncConfig) (*argocd.Result, error) {
			return argocd.Sync(ctx, cl, cfg, proc.Stdout)
		}, func(r *argocd.Result) []output {
			return []output{{"phase", r.Phase()}, {"sync-status", r.SyncStatus()}, {"health-status", r.HealthStatus()}, {"revision", r.Revision}, {"message", r.Message()}}
		})
	}
	return c
}

// newArgocdWaitCommand returns anvil action argocd-wait.
func newArgocdWaitCommand(proc Process) *cobra.Command {
	c := &cobra.Command{Use: "argocd-wait", Short: "Wait until an Argo CD application is at a revision, Synced and Healthy",
		Long: argocdWaitLong, Example: argocdExample, Args: rangeArgs(0, 0)}
	in := bindStepInputs(proc, c, append(argocdCommonInputs(), argocdWaitInputs()...))
	c.RunE = func(c *cobra.Command, _ []string) error {
		return runArgocd(c.Context(), proc, in, "Argo CD wait", waitConfig, func(ctx context.Context, cl *argocd.Client, cfg argocd.WaitConfig) (*argocd.Result, error) {
			return argocd.Wait(ctx, cl, cfg, proc.Stdout)
		}, func(r *argocd.Result) []output {
			return []output{{"sync-status", r.SyncStatus()}, {"health-status", r.HealthStatus()}, {"revision", r.Revision}, {"phase", r.Phase()}}
		})
	}
	return c
}

// runArgocd masks the secrets, reads the inputs, logs in when asked, runs
// the sync or wait, and writes outputs and the summary (also on failure).
func runArgocd[C any](ctx context.Context, proc Process, in *stepInputs, title string,
	parse func(*stepInputs, argocd.AppRef) (C, error),
	run func(context.Context, *argocd.Client, C) (*argocd.Result, error),
	outputs func(*argocd.Result) []output,
) error {
	step := newStepIO(proc)
	token, password := in.get("token"), in.get("password")
	step.mask(token)
	step.mask(password)
	app, client, cfg, err := argocdSetup(in, token, parse)
	if err != nil {
		return step.fail(ExitUsage, err)
	}
	username := in.trimmed("username")
	if token == "" {
		session, err := client.Login(ctx, username, password)
		step.mask(session)
		if err != nil {
			err = fmt.Errorf("%w; check username and password", err)
			return step.finish(nil, argocd.Summary(title, client.Server(), app, nil, err), err)
		}
	}
	res, err := run(ctx, client, cfg)
	return step.finish(outputs(res), argocd.Summary(title, client.Server(), app, res, err), err)
}

// argocdSetup reads the common inputs and the command's own.
func argocdSetup[C any](in *stepInputs, token string, parse func(*stepInputs, argocd.AppRef) (C, error)) (argocd.AppRef, *argocd.Client, C, error) {
	var zero C
	var problems []error
	app, err := argocd.ParseAppRef(in.trimmed("app"))
	problems = append(problems, err)
	insecure, err := in.boolean("insecure", false)
	problems = append(problems, err)
	if token == "" && (in.trimmed("username") == "" || in.get("password") == "") {
		problems = append(problems, errors.New("no credentials: give token, or username and password"))
	}
	client, err := argocd.NewClient(argocd.ClientConfig{Server: in.trimmed("server"), Token: token, Insecure: insecure, UserAgent: "anvil-action"})
	problems = append(problems, err)
	cfg, err := parse(in, app)
	problems = append(problems, err)
	if err := errors.Join(problems...); err != nil {
		return app, nil, zero, err
	}
	return app, client, cfg, nil
}

func syncConfig(in *stepInputs, app argocd.AppRef) (argocd.SyncConfig, error) {
	cfg := argocd.SyncConfig{App: app, Revision: in.trimmed("revision"), SyncOptions: in.lines("sync-options")}
	var problems []error
	var err error
	cfg.Prune, err = in.boolean("prune", false)
	problems = append(problems, err)
	cfg.DryRun, err = in.boolean("dry-run", false)
	problems = append(problems, err)
	cfg.Health, err = in.boolean("health", false)
	problems = append(problems, err)
	cfg.Retries, err = in.integer("retries", 0)
	problems = append(problems, err)
	cfg.RetryBackoff, err = in.duration("retry-backoff", 5*time.Second)
	problems = append(problems, err)
	cfg.Timeout, err = in.duration("timeout", argocd.DefaultSyncTimeout)
	problems = append(problems, err)
	cfg.Interval, err = in.duration("interval", argocd.DefaultPollInterval)
	problems = append(problems, err)
	for _, r := range in.lines("resources") {
		res, err := argocd.ParseResource(r)
		problems = append(problems, err)
		cfg.Resources = append(cfg.Resources, res)
	}
	return cfg, errors.Join(problems...)
}

func waitConfig(in *stepInputs, app argocd.AppRef) (argocd.WaitConfig, error) {
	cfg := argocd.WaitConfig{App: app, Revision: in.trimmed("revision")}
	var problems []error
	var err error
	cfg.Health, err = in.boolean("health", true)
	problems = append(problems, err)
	cfg.Sync, err = in.boolean("sync", true)
	problems = append(problems, err)
	cfg.FailOnDegraded, err = in.boolean("fail-on-degraded", true)
	problems = append(problems, err)
	cfg.Timeout, err = in.duration("timeout", argocd.DefaultWaitTimeout)
	problems = append(problems, err)
	cfg.Interval, err = in.duration("interval", argocd.DefaultPollInterval)
	problems = append(problems, err)
	return cfg, errors.Join(problems...)
}
