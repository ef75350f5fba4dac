package localrun

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/gitctx"
	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// Options are the flags of anvil exec that decide what runs and with
// what, as given.
type Options struct {
	// Dir is -C, the repository to run.
	Dir string
	// Workflows is -W: a workflow file or directory ("" finds them).
	Workflows string
	// Job is -j: run only this job and the jobs it needs.
	Job string
	// EventPath is -e: a JSON file with the event payload.
	EventPath string
	// Actor is -a, github.actor.
	Actor     string
	Values    ValueFlags
	Platforms []string
	// WorkDir is --workdir ("" for a temporary directory).
	WorkDir string
	Grace   time.Duration
	Actions ActionOptions
}

// Host is what a run takes from anvil's process.
type Host struct {
	// LookupEnv reads anvil's environment: -s NAME, USER, HOME.
	LookupEnv func(string) (string, bool)
	// Environ is anvil's environment as KEY=VALUE.
	Environ []string
	// Now is the time the run starts: its run id.
	Now time.Time
	// SelfBinary is the anvil binary jobs get, "" for none.
	SelfBinary string
	// Stderr gets notes for the user.
	Stderr io.Writer
}

// getenv returns the value of key in h's environment, or "".
func (h Host) getenv(key string) string {
	if h.LookupEnv == nil {
		return ""
	}
	v, _ := h.LookupEnv(key)
	return v
}

// Prep is everything a local run knows before it runs anything.
type Prep struct {
	// Plan holds the triggered workflows, each with what lint found on
	// its Problems: the engine fails the jobs of those with errors.
	Plan *plan.Plan
	// Config is the engine's config without Sink, Backends and Runtime.
	Config    executor.Config
	Platforms Platforms
}

// Prepare reads the options, the workflows, the event payload and git
// state, and plans the run of eventName.
func Prepare(ctx context.Context, o Options, h Host, eventName string) (*Prep, error) {
	plats, err := ParsePlatforms(o.Platforms)
	if err != nil {
		return nil, err
	}
	vals, err := o.Values.Read(h.LookupEnv)
	if err != nil {
		return nil, err
	}
	dir, err := SourceDir(o.Dir)
	if err != nil {
		return nil, err
	}
	checked, payload, info, err := readSource(ctx, h, dir, o.Workflows, o.EventPath)
	if err != nil {
		return nil, err
	}
	actions, err := o.Actions.Resolver(gitctx.ParseRemote(info.RemoteURL).ServerURL, h.Environ, h.getenv, h.Stderr)
	if err != nil {
		return nil, err
	}
	if !info.IsRepo {
		fmt.Fprintf(h.Stderr, "note: %s is not a git repository: github.sha is empty and ref is refs/heads/main\n", dir)
	}
	gh := gitctx.Build(info, gitctx.Input{
		EventName: eventName,
		Payload:   payload,
		Inputs:    vals.Inputs,
		Dir:       dir,
		Actor:     o.Actor,
		User:      h.getenv("USER"),
		RunID:     strconv.FormatInt(h.Now.Unix(), 10),
	})
	plan, err := PlanChecked(checked, gh.Event, o.Job, h.Stderr)
	if err != nil {
		return nil, err
	}
	return &Prep{
		Plan:      plan,
		Platforms: plats,
		Config: executor.Config{
			Loader:        pipeline.Loader{},
			WorkDir:       o.WorkDir,
			SourceDir:     dir,
			LocalCheckout: true,
			Actions:       actions,
			Github:        gh.Context,
			Secrets:       vals.Secrets,
			Vars:          vals.Vars,
			Env:           vals.Env,
			Inputs:        gh.Inputs,
			BaseEnv:       executor.HostEnv(h.Environ),
			RunnerName:    "anvil-exec",
			Grace:         o.Grace,
			SelfBinary:    h.SelfBinary,
		},
	}, nil
}

// Runnable is the plan without the workflows that would fail at once:
// what anvil exec -l lists as jobs.
func (p *Prep) Runnable() *plan.Plan {
	runnable := &plan.Plan{Event: p.Plan.Event}
	for _, wf := range p.Plan.Workflows {
		if !Broken(wf) {
			runnable.Workflows = append(runnable.Workflows, wf)
		}
	}
	return runnable
}
