package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/runner"
)

const createRunnerFileLong = `Write the registration (the .runner file, or runner.file of the config) of
a runner created offline on a Forgejo instance from a shared secret, the
way forgejo-runner create-runner-file does: no registration token and no
Register call, so a fleet's runners can be provisioned before the forge
is up, e.g. from a Kubernetes Secret.

On the Forgejo server, create the runner with the same secret (40
hexadecimal characters, e.g. openssl rand -hex 20):

  forgejo forgejo-cli actions register --secret SECRET --name NAME --labels LABELS

The runner's uuid is derived from the first 16 characters of the secret and
the whole secret is its token. Gitea has no such server command (gitea
actions generate-runner-token makes a registration token: use anvil
register with it).

Give the secret with --secret-file or the ANVIL_RUNNER_SECRET environment
variable (--secret shows it in the process list). anvil waits for the forge
to answer a ping (up to --wait); with --connect it also checks that the
forge knows the runner. An existing file is replaced.`

const createRunnerFileExample = `  openssl rand -hex 20 > /etc/anvil/runner-secret
  forgejo forgejo-cli actions register --secret "$(cat /etc/anvil/runner-secret)" --name build-1
  anvil create-runner-file --instance https://forgejo.example \
    --secret-file /etc/anvil/runner-secret --name build-1 --labels docker:docker://node:20-bookworm --connect`

// runnerSecretEnv names the environment variable with the shared secret.
const runnerSecretEnv = "ANVIL_RUNNER_SECRET"

// createRunnerFileOptions are anvil create-runner-file's flags.
type createRunnerFileOptions struct {
	config     string
	instance   string
	secret     string
	secretFile string
	name       string
	labels     []string
	connect    bool
	wait       time.Duration
}

func newCreateRunnerFileCommand(proc Process) *cobra.Command {
	o := &createRunnerFileOptions{}
	c := &cobra.Command{
		Use:     "create-runner-file",
		Short:   "Write a runner's registration from a secret shared with Forgejo (offline registration)",
		Long:    createRunnerFileLong,
		Example: createRunnerFileExample,
		Args:    rangeArgs(0, 0),
		RunE: func(c *cobra.Command, _ []string) error {
			return runCreateRunnerFile(c.Context(), proc, o)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.config, "config", "c", "", "the daemon's config file (for runner.file, runner.labels and runner.insecure)")
	f.StringVar(&o.instance, "instance", "", "the forge's URL, e.g. https://forgejo.example (required)")
	f.StringVar(&o.secret, "secret", "", "the shared secret (visible in the process list: prefer --secret-file or "+runnerSecretEnv+")")
	f.StringVar(&o.secretFile, "secret-file", "", "read the shared secret from this file")
	f.StringVar(&o.name, "name", "", "the runner's name (default: the host name)")
	f.StringSliceVar(&o.labels, "labels", nil, "labels, name[:schema[:arg]] (default: runner.labels, else self-hosted:host)")
	f.BoolVar(&o.connect, "connect", false, "check that the forge knows the runner (Declare with its credentials)")
	f.DurationVar(&o.wait, "wait", time.Minute, "how long to wait for the forge to answer")
	f.SortFlags = false
	return c
}

func runCreateRunnerFile(ctx context.Context, proc Process, o *createRunnerFileOptions) error {
	cfg, notes, err := loadDaemonConfig(o.config)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(proc.Stderr, "note:", n)
	}
	secret, err := proc.secret(o.secret, o.secretFile, "--secret-file", runnerSecretEnv)
	if err != nil {
		return err
	}
	if o.instance == "" || secret == "" {
		return usageErrorf("anvil create-runner-file needs --instance and the secret (--secret-file, %s or --secret)", runnerSecretEnv)
	}
	labels := o.labels
	if len(labels) == 0 {
		labels = cfg.Runner.Labels
	}
	if len(labels) == 0 {
		labels = []string{"self-hosted:host"}
	}
	if err := runner.CheckLabels(labels); err != nil {
		return usageError(err)
	}
	name := o.name
	if name == "" {
		name, _ = os.Hostname()
	}
	address := strings.TrimRight(o.instance, "/")
	reg, err := forge.RunnerFileFromSecret(address, name, secret, labels)
	if err != nil {
		return usageError(err)
	}
	shown := forge.RedactURL(address) // never print user:password@
	client := forge.New(forge.Config{Address: address, Insecure: cfg.Runner.Insecure, Version: anvilVersion()})
	if err := runner.WaitForForge(ctx, client, shown, o.wait, proc.Stderr); err != nil {
		return err
	}
	if o.connect {
		authed := forge.New(forge.Config{Address: address, UUID: reg.UUID, Token: reg.Token, Insecure: cfg.Runner.Insecure, Version: anvilVersion()})
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := authed.Declare(dctx, anvilVersion(), forge.LabelNames(labels))
		cancel()
		switch {
		case errors.Is(err, forge.ErrUnregistered):
			return fmt.Errorf("%s does not know a runner with this secret (uuid %s): create it there first with forgejo forgejo-cli actions register --secret ... (Gitea cannot: use anvil register)", shown, reg.UUID)
		case errors.Is(err, forge.ErrUnimplemented):
			fmt.Fprintln(proc.Stderr, "note: the forge is too old to check the runner (no Declare); the file is written unchecked")
		case err != nil:
			return fmt.Errorf("checking the runner with %s: %w", shown, err)
		}
	}
	if err := forge.WriteRunnerFile(cfg.Runner.File, reg); err != nil {
		return err
	}
	start := "anvil daemon"
	if o.config != "" {
		start += " -c " + o.config
	}
	fmt.Fprintf(proc.Stdout, "Wrote the registration of runner %q (uuid %s) for %s, labels %s, to %s.\nStart it with: %s\n",
		name, reg.UUID, shown, strings.Join(labels, ","), cfg.Runner.File, start)
	return nil
}
