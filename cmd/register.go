package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"
	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/runner"
)

const registerLong = `Register this machine as a runner of a Forgejo or Gitea instance and write
the registration (the .runner file, or runner.file of the config) in the
format forgejo-runner uses, with mode 0600: a machine can switch from
forgejo-runner to anvil, or back, keeping its registration.

The registration token comes from the forge's runner settings (site,
organization or repository). Give it with --token, --token-file, or the
ANVIL_REGISTRATION_TOKEN environment variable. When a value is missing and
stdin is a terminal, anvil asks for it (unless --no-interactive).

Labels are name[:schema[:arg]]: a job runs on this runner when every label
of its runs-on is among the names; the schema says where it runs: host
(directly on this machine, also for a label without schema) or
docker://IMAGE (in a container of IMAGE). Default: runner.labels of the
config, else self-hosted:host.

anvil waits for the forge to answer (up to --wait) before registering.`

const registerExample = `  # Interactive: asks for what is missing
  anvil register

  # Unattended
  anvil register --no-interactive --instance https://forge.example \
    --token-file /run/secrets/runner-token --name build-1 \
    --labels self-hosted:host,linux:host

  # A runner that takes one job and is then deleted by the forge
  anvil register --ephemeral --instance https://forge.example --token "$TOKEN"
  anvil daemon --once`

// registerOptions are anvil register's flags.
type registerOptions struct {
	config        string
	instance      string
	token         string
	tokenFile     string
	name          string
	labels        []string
	ephemeral     bool
	skipIfExists  bool
	noInteractive bool
	wait          time.Duration
}

// registrationTokenEnv names the environment variable with the token.
const registrationTokenEnv = "ANVIL_REGISTRATION_TOKEN"

// newRegisterCommand returns anvil register.
func newRegisterCommand(proc Process) *cobra.Command {
	o := &registerOptions{}
	c := &cobra.Command{
		Use:     "register",
		Short:   "Register this machine as a Forgejo/Gitea runner",
		Long:    registerLong,
		Example: registerExample,
		Args:    rangeArgs(0, 0),
		RunE: func(c *cobra.Command, _ []string) error {
			return runRegister(c.Context(), proc, o)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.config, "config", "c", "", "the daemon's config file (for runner.file, runner.labels and runner.insecure)")
	f.StringVar(&o.instance, "instance", "", "the forge's URL, e.g. https://forge.example")
	f.StringVar(&o.token, "token", "", "the registration token (visible to other users in the process list: prefer --token-file or "+registrationTokenEnv+")")
	f.StringVar(&o.tokenFile, "token-file", "", "read the registration token from this file")
	f.StringVar(&o.name, "name", "", "the runner's name (default: the host name)")
	f.StringSliceVar(&o.labels, "labels", nil, "labels, comma-separated or repeated: name[:schema[:arg]] (default: runner.labels, else self-hosted:host)")
	f.BoolVar(&o.ephemeral, "ephemeral", false, "the forge gives the runner one job and then deletes it")
	f.BoolVar(&o.skipIfExists, "skip-if-registered", false, "do nothing when the registration file already holds a registration (for init containers)")
	f.BoolVar(&o.noInteractive, "no-interactive", false, "never ask; fail when a value is missing")
	f.DurationVar(&o.wait, "wait", time.Minute, "how long to wait for the forge to answer before giving up")
	f.SortFlags = false
	return c
}

// runRegister registers the runner and writes its file.
func runRegister(ctx context.Context, proc Process, o *registerOptions) error {
	cfg, notes, err := loadDaemonConfig(o.config)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(proc.Stderr, "note:", n)
	}
	file := cfg.Runner.File
	if prev, err := forge.ReadRunnerFile(file); err == nil && o.skipIfExists {
		fmt.Fprintf(proc.Stdout, "%s already holds the registration of runner %q at %s; nothing to do.\n", file, prev.Name, forge.RedactURL(prev.Address))
		return nil
	} else if err == nil {
		return usageErrorf("%s already holds a registration (runner %q at %s); delete it to register again, or start the runner with anvil daemon", file, prev.Name, forge.RedactURL(prev.Address))
	} else if _, statErr := os.Stat(file); !errors.Is(statErr, fs.ErrNotExist) {
		return usageErrorf("%s exists but is not a usable registration (%v); delete it to register again", file, err)
	}
	if err := o.fill(proc, cfg); err != nil {
		return err
	}
	if err := runner.CheckLabels(o.labels); err != nil {
		return usageError(err)
	}
	address := strings.TrimRight(o.instance, "/")
	if w := forge.AddressWarning(address); w != "" {
		fmt.Fprintln(proc.Stderr, "warning:", w)
	}
	shown := forge.RedactURL(address) // never print user:password@
	client := forge.New(forge.Config{Address: address, Insecure: cfg.Runner.Insecure, Version: anvilVersion()})
	if err := runner.WaitForForge(ctx, client, shown, o.wait, proc.Stderr); err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r, err := client.Register(rctx, &runnerv1.RegisterRequest{
		Name: o.name, Token: o.token, Version: anvilVersion(), Labels: forge.LabelNames(o.labels), Ephemeral: o.ephemeral,
	})
	if err != nil {
		if errors.Is(err, forge.ErrBadRegistrationToken) {
			return fmt.Errorf("registering with %s: %w", shown, forge.ErrBadRegistrationToken)
		}
		return fmt.Errorf("registering with %s: %w", shown, err)
	}
	if err := forge.WriteRunnerFile(file, forge.NewRunnerFile(address, r, o.labels)); err != nil {
		return fmt.Errorf("%w (the runner %q was created on the forge: delete it there before registering again)", err, r.GetName())
	}
	start := "anvil daemon"
	if o.config != "" {
		start += " -c " + o.config
	}
	fmt.Fprintf(proc.Stdout, "Registered runner %q (id %d) with %s, labels %s; registration saved in %s.\nStart it with: %s\n",
		r.GetName(), r.GetId(), shown, strings.Join(o.labels, ","), file, start)
	return nil
}
