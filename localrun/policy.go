package localrun

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"codeberg.org/anvil-ci/anvil/gitctx"
	"codeberg.org/anvil-ci/anvil/pipeline"
	"codeberg.org/anvil-ci/anvil/pipeline/policy"
)

// PolicyInputs plans the workflows event triggers as anvil exec does,
// without running anything, and returns the policy Input of each of their
// jobs (anvil policy test). It reads o's Dir, Workflows, EventPath and
// Actor; refProtected is github.ref_protected. Without workflows under
// Dir and without Workflows it returns none, with a note on h.Stderr.
func PolicyInputs(ctx context.Context, o Options, h Host, event string, refProtected bool) ([]*policy.Input, error) {
	dir, err := SourceDir(o.Dir)
	if err != nil {
		return nil, err
	}
	if o.Workflows == "" {
		if files, err := pipeline.Discover(dir, ""); err != nil || len(files) == 0 {
			fmt.Fprintf(h.Stderr, "note: no workflows under %s, so only the tests ran (give -W to check workflows)\n", dir)
			return nil, nil
		}
	}
	checked, payload, info, err := readSource(ctx, h, dir, o.Workflows, o.EventPath)
	if err != nil {
		return nil, err
	}
	gh := gitctx.Build(info, gitctx.Input{EventName: event, Payload: payload, Dir: dir, Actor: o.Actor,
		User: h.getenv("USER"), RunID: strconv.FormatInt(h.Now.Unix(), 10)})
	gh.Context["ref_protected"] = refProtected
	plan, err := PlanChecked(checked, gh.Event, "", h.Stderr)
	if err != nil {
		return nil, err
	}
	var out []*policy.Input
	for _, wf := range plan.Workflows {
		if Broken(wf) {
			return nil, usageError(errors.New(wf.File + " has errors (see anvil lint); fix it to check the policy on its jobs"))
		}
		out = append(out, policy.Offline(wf, gh.Context, policy.TaskFromGithub(gh.Context, wf.File))...)
	}
	return out, nil
}
