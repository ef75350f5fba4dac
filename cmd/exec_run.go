package cmd

import (
	"context"
	"fmt"
	"os"

	"codeberg.org/anvil-ci/anvil/console"
	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/host"
	"codeberg.org/anvil-ci/anvil/internal/interrupt"
	"codeberg.org/anvil-ci/anvil/localrun"
)

// runExec plans and runs the workflows eventName triggers, as o says.
func runExec(ctx context.Context, proc Process, o *execOptions, eventName string) error {
	prep, err := prepareExec(ctx, proc, o, eventName)
	if err != nil {
		return err
	}
	for _, wf := range prep.Plan.Workflows {
		for _, n := range wf.Notes {
			fmt.Fprintf(proc.Stderr, "note: %s: %s\n", wf.File, n)
		}
	}
	if o.list {
		failing := console.ListProblems(proc.Stderr, prep.Plan)
		if err := console.PrintJobList(proc.Stdout, prep.Runnable()); err != nil || !failing {
			return err
		}
		return errJobsFailed
	}
	if len(prep.Plan.Workflows) == 0 {
		return nil
	}
	if note := prep.Platforms.Note(); note != "" {
		fmt.Fprintln(proc.Stderr, note)
	}

	cfg := prep.Config
	if cfg.WorkDir == "" {
		tmp, err := os.MkdirTemp("", "anvil-exec-")
		if err != nil {
			return fmt.Errorf("creating a work directory (or pass --workdir): %w", err)
		}
		defer os.RemoveAll(tmp)
		cfg.WorkDir = tmp
	}
	services, err := startExecServices(ctx, proc, o, cfg.Github, prep.Platforms.MayUseContainers(prep.Plan))
	if err != nil {
		return err
	}
	defer services.Close()
	cfg.Runtime = services.Runtime
	if services.RunID != "" {
		cfg.Github["run_id"] = services.RunID
	}
	p := console.Choose(proc.Stdout, console.Output{JSON: o.json, Terminal: proc.Terminal, NoColor: proc.getenv("NO_COLOR") != ""})
	cfg.Sink = p
	containers := execDocker(proc, o.run.Grace, o.docker)
	defer containers.Close()
	cfg.Backends = prep.Platforms.BackendFor(host.New(host.Config{Grace: o.run.Grace}), containers.Backend)

	closeAudit, err := o.govern.Wire(&cfg, proc.Stderr)
	if err != nil {
		return err
	}
	defer closeAudit()
	engine := executor.New(cfg)
	interrupt.OnKill(ctx, engine.Kill)
	res, err := engine.Run(ctx, prep.Plan)
	p.Finish()
	if err != nil {
		return fmt.Errorf("running the workflows: %w", err)
	}
	if res.Result != executor.ResultSuccess {
		return errJobsFailed
	}
	return nil
}

// prepareExec plans the run with what anvil's process gives it.
func prepareExec(ctx context.Context, proc Process, o *execOptions, eventName string) (*localrun.Prep, error) {
	return localrun.Prepare(ctx, o.run, localrun.Host{
		LookupEnv:  proc.lookupEnv,
		Environ:    proc.environ(),
		Now:        proc.now(),
		SelfBinary: proc.selfBinary(),
		Stderr:     proc.Stderr,
	}, eventName)
}

// startExecServices starts exec's cache and artifact servers for the run
// whose github context is gh.
func startExecServices(ctx context.Context, proc Process, o *execOptions, gh map[string]any, containers bool) (*localrun.Services, error) {
	return localrun.StartServices(ctx, localrun.ServiceConfig{
		Cache: o.cache, Artifacts: o.artifacts, Github: gh, Containers: containers,
		DefaultCacheDir: localrun.DefaultCacheDir(proc.getenv),
		Stderr:          proc.Stderr,
	})
}
