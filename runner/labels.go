package runner

import (
	"errors"
	"fmt"
	"strings"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/forge"
)

// backendFor picks where a job runs, as forgejo-runner does: the first
// runs-on label that is one of the runner's decides, by its schema (host,
// or docker://IMAGE).
func (r *Runner) backendFor(runsOn []string) (executor.Backend, executor.JobSpecHints, error) {
	for _, want := range runsOn {
		for _, raw := range r.cfg.Labels {
			l, err := forge.ParseLabel(raw)
			if err != nil || l.Name != want {
				continue
			}
			switch l.Schema {
			case "host", "":
				if r.cfg.Host == nil {
					return nil, executor.JobSpecHints{}, fmt.Errorf("label %q runs jobs on the host, but this runner has no host executor", raw)
				}
				return r.cfg.Host, executor.JobSpecHints{}, nil
			case "docker":
				image := l.Image()
				if r.cfg.Docker == nil {
					return nil, executor.JobSpecHints{}, fmt.Errorf("label %q runs jobs in a Docker container, but this runner has no Docker executor; use a label with the host schema, e.g. %s:host", raw, l.Name)
				}
				b, err := r.cfg.Docker(image)
				if err != nil {
					return nil, executor.JobSpecHints{}, fmt.Errorf("label %q: %w", raw, err)
				}
				return b, executor.JobSpecHints{Image: image}, nil
			default:
				return nil, executor.JobSpecHints{}, unknownSchema(raw, l.Schema)
			}
		}
	}
	return nil, executor.JobSpecHints{}, fmt.Errorf("none of the job's runs-on labels [%s] is a label of this runner (%s); check the runner's labels (runner.labels in its config)", strings.Join(runsOn, ", "), strings.Join(r.cfg.Labels, ", "))
}

// CheckLabels parses a runner's labels and rejects schemas it cannot run
// jobs with (it knows host and docker://IMAGE), every problem in one error.
func CheckLabels(labels []string) error {
	var probs []string
	for _, raw := range labels {
		l, err := forge.ParseLabel(raw)
		switch {
		case err != nil:
			probs = append(probs, err.Error())
		case l.Schema != "" && l.Schema != "host" && l.Schema != "docker":
			probs = append(probs, unknownSchema(raw, l.Schema).Error())
		}
	}
	if len(probs) > 0 {
		return errors.New(strings.Join(probs, "; "))
	}
	return nil
}

// unknownSchema says that label raw has a schema the runner does not know.
func unknownSchema(raw, schema string) error {
	return fmt.Errorf("label %q has schema %q; anvil knows host and docker://IMAGE", raw, schema)
}
