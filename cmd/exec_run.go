package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/host"
	"codeberg.org/anvil-ci/anvil/gitctx"
	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// runExec plans and runs the workflows eventName triggers, as o says.
func runExec(ctx context.Context, proc Process, o *execOptions, eventName string) error {
	prep, err := prepareExec(ctx, proc, o, eventName)
	if err != nil {
		return err
	}
	for _, wf := range prep.plan.Workflows {
		for _, n := range wf.Notes {
			fmt.Fprintf(proc.Stderr, "note: %s: %s\n", wf.File, n)
		}
	}
	if o.list {
		failing := listProblems(proc.Stderr, prep.plan)
		runnable := &plan.Plan{Event: prep.plan.Event}
		for _, wf := range prep.plan.Workflows {
			if !(checkedWorkflow{wf: wf}).broken() {
				runnable.Workflows = append(runnable.Workflows, wf)
			}
		}
		if err := printJobList(proc.Stdout, runnable); err != nil || !failing {
			return err
		}
		return errJobsFailed
	}
	if len(prep.plan.Workflows) == 0 {
		return nil
	}
	if note := prep.platforms.note(); note != "" {
		fmt.Fprintln(proc.Stderr, note)
	}

	cfg := prep.config
	if cfg.WorkDir == "" {
		tmp, err := os.MkdirTemp("", "anvil-exec-")
		if err != nil {
			return fmt.Errorf("creating a work directory (or pass --workdir): %w", err)
		}
		defer os.RemoveAll(tmp)
		cfg.WorkDir = tmp
	}
	services, err := startExecServices(ctx, proc, o.cache, o.artifacts, cfg.Github, mayUseContainers(prep.platforms, prep.plan))
	if err != nil {
		return err
	}
	defer services.Close()
	cfg.Runtime = services.runtime
	if services.runID != "" {
		cfg.Github["run_id"] = services.runID
	}
	p := choosePrinter(proc, o.json)
	cfg.Sink = p
	containers := newLazyDocker(proc, o.grace, o.docker)
	defer containers.close()
	cfg.Backends = prep.platforms.backendFor(host.New(host.Config{Grace: o.grace}), containers.get)

	closeAudit, err := o.govern.wire(proc, &cfg)
	if err != nil {
		return err
	}
	defer closeAudit()
	engine := executor.New(cfg)
	onKill(ctx, engine.Kill)
	res, err := engine.Run(ctx, prep.plan)
	p.Finish()
	if err != nil {
		return fmt.Errorf("running the workflows: %w", err)
	}
	if res.Result != executor.ResultSuccess {
		return errJobsFailed
	}
	return nil
}

// execPrep is everything anvil exec knows before it runs anything.
type execPrep struct {
	// plan holds the triggered workflows, each with what lint found on
	// its Problems: the engine fails the jobs of those with errors.
	plan      *plan.Plan
	config    executor.Config
	platforms platforms
}

// prepareExec reads flags, workflows, the event payload and git state, and
// plans the run. The engine config lacks Sink and Backends.
func prepareExec(ctx context.Context, proc Process, o *execOptions, eventName string) (*execPrep, error) {
	plats, err := parsePlatforms(o.platforms)
	if err != nil {
		return nil, err
	}
	vals, err := o.values(proc.lookupEnv)
	if err != nil {
		return nil, err
	}
	dir, err := sourceDir(o.dir)
	if err != nil {
		return nil, err
	}
	checked, err := lintWorkflows(dir, o.workflows)
	if err != nil {
		return nil, err
	}
	payload, err := readPayload(o.eventPath)
	if err != nil {
		return nil, err
	}
	info, err := gitctx.Read(ctx, dir, proc.getenv)
	if err != nil {
		return nil, err
	}
	actions, err := o.actions.resolver(proc, gitctx.ParseRemote(info.RemoteURL).ServerURL)
	if err != nil {
		return nil, err
	}
	if !info.IsRepo {
		fmt.Fprintf(proc.Stderr, "note: %s is not a git repository: github.sha is empty and ref is refs/heads/main\n", dir)
	}
	gh := gitctx.Build(info, gitctx.Input{
		EventName: eventName,
		Payload:   payload,
		Inputs:    vals.Inputs,
		Dir:       dir,
		Actor:     o.actor,
		User:      proc.getenv("USER"),
		RunID:     strconv.FormatInt(proc.now().Unix(), 10),
	})
	p, err := planChecked(checked, gh.Event, o.job, proc.Stderr)
	if err != nil {
		return nil, err
	}
	return &execPrep{
		plan:      p,
		platforms: plats,
		config: executor.Config{
			Loader:        pipeline.Loader{},
			WorkDir:       o.workDir,
			SourceDir:     dir,
			LocalCheckout: true,
			Actions:       actions,
			Github:        gh.Context,
			Secrets:       vals.Secrets,
			Vars:          vals.Vars,
			Env:           vals.Env,
			Inputs:        gh.Inputs,
			BaseEnv:       executor.HostEnv(proc.environ()),
			RunnerName:    "anvil-exec",
			Grace:         o.grace,
			SelfBinary:    proc.selfBinary(),
		},
	}, nil
}

// sourceDir makes -C absolute and checks it is a directory.
func sourceDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", usageErrorf("-C %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", usageErrorf("-C %s: %w", dir, err)
	}
	if !st.IsDir() {
		return "", usageErrorf("-C %s: not a directory; give the repository's directory", dir)
	}
	return abs, nil
}

// readPayload reads the -e event payload; "" gives nil.
func readPayload(file string) (map[string]any, error) {
	if file == "" {
		return nil, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, usageErrorf("-e: %w", err)
	}
	var payload map[string]any
	if err := json.Unmarshal(data, &payload); err != nil {
		return nil, usageErrorf("-e %s: the event payload must be a JSON object: %w", file, err)
	}
	if payload == nil {
		payload = map[string]any{}
	}
	return payload, nil
}
