package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
	"codeberg.org/anvil-ci/anvil/actions/step"
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

// newArgocdSyncCommand returns anvil action argocd-sync.
func newArgocdSyncCommand(proc Process) *cobra.Command {
	c := &cobra.Command{Use: "argocd-sync", Short: "Sync an Argo CD application and wait for the operation",
		Long: argocdSyncLong, Example: argocdExample, Args: rangeArgs(0, 0)}
	in := bindInputs(proc, c, argocd.SyncInputs())
	c.RunE = func(c *cobra.Command, _ []string) error {
		return runArgocd(c.Context(), proc, in(), "Argo CD sync", argocd.ParseSync, func(ctx context.Context, cl *argocd.Client, cfg argocd.SyncConfig) (*argocd.Result, error) {
			return argocd.Sync(ctx, cl, cfg, proc.Stdout)
		}, argocd.SyncOutputs)
	}
	return c
}

// newArgocdWaitCommand returns anvil action argocd-wait.
func newArgocdWaitCommand(proc Process) *cobra.Command {
	c := &cobra.Command{Use: "argocd-wait", Short: "Wait until an Argo CD application is at a revision, Synced and Healthy",
		Long: argocdWaitLong, Example: argocdExample, Args: rangeArgs(0, 0)}
	in := bindInputs(proc, c, argocd.WaitInputs())
	c.RunE = func(c *cobra.Command, _ []string) error {
		return runArgocd(c.Context(), proc, in(), "Argo CD wait", argocd.ParseWait, func(ctx context.Context, cl *argocd.Client, cfg argocd.WaitConfig) (*argocd.Result, error) {
			return argocd.Wait(ctx, cl, cfg, proc.Stdout)
		}, argocd.WaitOutputs)
	}
	return c
}

// runArgocd masks the secrets, reads the inputs, logs in when asked, runs
// the sync or wait, and writes outputs and the summary (also on failure).
func runArgocd[C any](ctx context.Context, proc Process, in *step.Inputs, title string,
	parse func(*step.Inputs) (argocd.Connection, C, error),
	run func(context.Context, *argocd.Client, C) (*argocd.Result, error),
	outputs func(*argocd.Result) []step.Output,
) error {
	rt := stepRuntime(proc)
	rt.Mask(in.Raw("token"))
	rt.Mask(in.Raw("password"))
	conn, cfg, err := parse(in)
	if err != nil {
		return reportedExit(ExitUsage, rt.Fail(err))
	}
	if conn.Token == "" {
		session, err := conn.Client.Login(ctx, conn.Username, conn.Password)
		rt.Mask(session)
		if err != nil {
			err = fmt.Errorf("%w; check username and password", err)
			return reportedExit(ExitFailed, rt.Finish(nil, argocd.Summary(title, conn.Client.Server(), conn.App, nil, err), err))
		}
	}
	res, err := run(ctx, conn.Client, cfg)
	return reportedExit(ExitFailed, rt.Finish(outputs(res), argocd.Summary(title, conn.Client.Server(), conn.App, res, err), err))
}
