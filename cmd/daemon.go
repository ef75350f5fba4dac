package cmd

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/host"
	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/internal/interrupt"
	"codeberg.org/anvil-ci/anvil/internal/osproc"
	"codeberg.org/anvil-ci/anvil/runner"
)

const daemonLong = `Run as a Forgejo/Gitea runner: take jobs from the forge the runner is
registered with (see anvil register), run them with anvil's engine, and
report logs, steps, outputs and results.

The config file (-c; see anvil generate-config) uses forgejo-runner's keys,
so an existing one works unchanged. Without -c the defaults apply, with the
registration in ./.runner.

Jobs run where their label says: NAME:host on this machine, and
NAME:docker://IMAGE in a container of IMAGE (container.* keys of the
config). Remote actions (uses: owner/repo@ref) are fetched from the forge's
default actions URL into ~/.cache/anvil/actions. Jobs get the forge's
artifact APIs (ACTIONS_RUNTIME_URL, ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN)
and a cache server the daemon starts (ACTIONS_CACHE_URL; the cache: section,
or a shared anvil cache-server). Each job's log is spooled to disk while it
runs (runner.state_dir), so a job that prints a lot or a forge that is
unreachable for a while costs no memory, and a job cut off by a crash is
reported as failed after a restart.

SIGTERM or SIGINT stops taking jobs and lets running jobs finish for
runner.shutdown_timeout, then cancels and reports them; a second signal
cancels them at once. A runner deleted on the forge exits with status 1 and
a message to register again.`

const daemonExample = `  anvil daemon
  anvil daemon -c config.yaml

  # Take one job, run it, report it, exit (e.g. with anvil register --ephemeral)
  anvil daemon --once`

// daemonOptions are anvil daemon's flags.
type daemonOptions struct {
	config string
	once   bool
}

// newDaemonCommand returns anvil daemon.
func newDaemonCommand(proc Process) *cobra.Command {
	o := &daemonOptions{}
	c := &cobra.Command{
		Use:     "daemon",
		Short:   "Run as a Forgejo/Gitea runner: take jobs, run them, report them",
		Long:    daemonLong,
		Example: daemonExample,
		Args:    rangeArgs(0, 0),
		RunE: func(c *cobra.Command, _ []string) error {
			return runDaemon(c.Context(), proc, o)
		},
	}
	c.Flags().StringVarP(&o.config, "config", "c", "", "the config file (see anvil generate-config)")
	c.Flags().BoolVar(&o.once, "once", false, "take one job, run and report it, then exit")
	return c
}

// runDaemon loads the configuration and registration and runs the runner
// until the first interrupt (graceful) or, with --once, one job.
func runDaemon(ctx context.Context, proc Process, o *daemonOptions) error {
	cfg, notes, err := loadDaemonConfig(o.config)
	if err != nil {
		return err
	}
	log, err := daemonLogger(proc, cfg.Log.Level)
	if err != nil {
		return err
	}
	for _, n := range notes {
		log.Warn(n)
	}
	reg, err := forge.ReadRunnerFile(cfg.Runner.File)
	if err != nil {
		return usageError(err)
	}
	for _, w := range forge.RunnerFileWarnings(cfg.Runner.File, reg) {
		log.Warn(w)
	}
	labels, err := daemonLabels(cfg, &reg, log)
	if err != nil {
		return err
	}
	rc, done, err := runnerConfig(proc, cfg, reg, labels, log)
	if err != nil {
		return err
	}
	defer done()
	closeAudit, err := governDaemon(cfg, &rc, log)
	if err != nil {
		return err
	}
	defer closeAudit()
	if usesDocker(labels) {
		cleanDocker(ctx, proc, cfg, log)
	}
	rc.Once = o.once
	dm, err := newDaemonMetrics(cfg.Metrics.Addr)
	if err != nil {
		return err
	}
	rc.Observer = dm.observer()
	jc, err := daemonCache(ctx, proc, cfg, labels, dm.cacheObserver(), log)
	if err != nil {
		return err
	}
	defer jc.Close()
	rc.Runtime = runner.ForgeRuntime(reg.Address, rc.Version, jc, logrus.NewEntry(log))
	r := runner.New(rc)
	defer dm.serve(ctx, r, log)()
	interrupt.SetNotes(ctx,
		fmt.Sprintf("anvil: stopping: taking no new jobs; running jobs may finish within runner.shutdown_timeout (%s); signal again to cancel them now", cfg.Runner.ShutdownTimeout),
		"anvil: cancelling the running jobs now and reporting them; signal a third time to exit without reporting")
	interrupt.OnKill(ctx, r.CancelTasks)
	log.WithFields(logrus.Fields{"runner": reg.Name, "forge": forge.RedactURL(reg.Address), "capacity": rc.Capacity, "version": rc.Version}).
		Info("anvil daemon starting")
	err = r.Run(ctx)
	if errors.Is(err, runner.ErrUnregistered) {
		return fmt.Errorf("runner %q at %s: %w", reg.Name, forge.RedactURL(reg.Address), err)
	}
	if err != nil {
		return err
	}
	log.Info("anvil daemon stopped")
	return nil
}

// daemonLabels returns the labels to run with: runner.labels when set
// (saved into the registration file when they differ, as forgejo-runner
// does), else the registration's.
func daemonLabels(cfg daemonConfig, reg *forge.RunnerFile, log *logrus.Logger) ([]string, error) {
	labels := reg.Labels
	if len(cfg.Runner.Labels) > 0 {
		labels = cfg.Runner.Labels
	}
	if err := runner.CheckLabels(labels); err != nil {
		return nil, usageErrorf("runner labels: %w", err)
	}
	if len(labels) == 0 {
		return nil, usageErrorf("the runner has no labels, so no job can match it; set runner.labels in the config, e.g. [self-hosted:host]")
	}
	if !slices.Equal(labels, reg.Labels) {
		reg.Labels = slices.Clone(labels)
		if err := forge.WriteRunnerFile(cfg.Runner.File, *reg); err != nil {
			log.WithError(err).Warn("cannot save runner.labels into the registration file")
		}
	}
	return labels, nil
}

// runnerConfig builds the runner's configuration. The list of executors
// is written out here: host for NAME:host labels, Docker for
// NAME:docker://IMAGE labels. done releases what it holds.
func runnerConfig(proc Process, cfg daemonConfig, reg forge.RunnerFile, labels []string, log *logrus.Logger) (rc runner.Config, done func(), err error) {
	env := maps.Clone(cfg.Runner.Envs)
	fileEnv, err := readEnvFile(cfg.Runner.EnvFile)
	if err != nil {
		return runner.Config{}, nil, usageError(err)
	}
	maps.Copy(env, fileEnv)
	stateDir := cfg.stateDir()
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return runner.Config{}, nil, fmt.Errorf("creating runner.state_dir: %w", err)
	}
	workDir := cfg.Host.WorkdirParent
	if workDir == "" {
		workDir = defaultWorkdirParent(proc)
	}
	// Job folders hold step scripts and files with the job's secrets.
	if err := os.MkdirAll(workDir, 0o700); err != nil {
		return runner.Config{}, nil, fmt.Errorf("creating host.workdir_parent: %w", err)
	}
	docker := daemonDocker(proc, cfg)
	return runner.Config{
		Forge: forge.New(forge.Config{
			Address: reg.Address, UUID: reg.UUID, Token: reg.Token,
			Insecure: cfg.Runner.Insecure, Version: anvilVersion(),
		}),
		Name:            reg.Name,
		Version:         anvilVersion(),
		Labels:          labels,
		Capacity:        cfg.Runner.Capacity,
		Timeout:         cfg.Runner.Timeout,
		ShutdownTimeout: cfg.Runner.ShutdownTimeout,
		FetchTimeout:    cfg.Runner.FetchTimeout,
		FetchInterval:   cfg.Runner.FetchInterval,
		Report:          runner.ReportTiming{Interval: cfg.Runner.ReportInterval},
		StateDir:        stateDir,
		WorkDir:         workDir,
		Host:            host.New(host.Config{}),
		Docker:          func(string) (executor.Backend, error) { return docker.Backend() },
		Containers:      cfg.Container.policy(),
		Actions:         daemonActions(proc, cfg.Actions),
		Env:             env,
		BaseEnv:         executor.HostEnv(proc.environ()),
		SelfBinary:      proc.selfBinary(),
		Log:             logrus.NewEntry(log),
		Now:             proc.now,
		OnIdle:          osproc.ReleaseMemory,
	}, docker.Close, nil
}

// daemonLogger logs to stderr at log.level.
func daemonLogger(proc Process, level string) (*logrus.Logger, error) {
	l := logrus.New()
	l.SetOutput(proc.Stderr)
	lvl, err := logrus.ParseLevel(level)
	if err != nil {
		return nil, usageErrorf("log.level %q: use trace, debug, info, warn, error or fatal", level)
	}
	l.SetLevel(lvl)
	l.SetFormatter(&logrus.TextFormatter{FullTimestamp: true, DisableColors: !proc.Terminal})
	return l, nil
}

// defaultWorkdirParent is $XDG_CACHE_HOME/anvil or ~/.cache/anvil.
func defaultWorkdirParent(proc Process) string {
	if d := proc.getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "anvil")
	}
	if h := proc.getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache", "anvil")
	}
	return filepath.Join(os.TempDir(), "anvil")
}

// anvilVersion is the version anvil registers and declares.
func anvilVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return "anvil-dev"
	}
	return "anvil-" + info.Main.Version
}
