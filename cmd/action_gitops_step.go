package cmd

import (
	"codeberg.org/anvil-ci/anvil/actions/step"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// This file holds what the gitops-promote, argocd-sync and argocd-wait
// commands share: inputs from flags or INPUT_* variables, and the step's
// side of the runner protocol (masks, outputs, summary, errors).

// stepInput is one input of an action: a flag, or INPUT_<NAME>.
type stepInput struct {
	name, usage string
}

// stepInputs reads inputs from flags, falling back to INPUT_<NAME>.
type stepInputs struct {
	proc  Process
	flags *pflag.FlagSet
}

// bindStepInputs adds a string flag per input to c.
func bindStepInputs(proc Process, c *cobra.Command, inputs []stepInput) *stepInputs {
	for _, in := range inputs {
		c.Flags().String(in.name, "", in.usage)
	}
	c.Flags().SortFlags = false
	return &stepInputs{proc: proc, flags: c.Flags()}
}

// get returns the flag when given, else INPUT_<NAME> with the name upper
// cased and dashes as underscores (INPUT_DRY_RUN, what the action.yml
// files set), else as GitHub names it (INPUT_DRY-RUN).
func (s *stepInputs) get(name string) string {
	if f := s.flags.Lookup(name); f != nil && f.Changed {
		return f.Value.String()
	}
	upper := "INPUT_" + strings.ToUpper(name)
	if v, ok := s.proc.lookupEnv(strings.ReplaceAll(upper, "-", "_")); ok {
		return v
	}
	return s.proc.getenv(upper)
}

func (s *stepInputs) trimmed(name string) string {
	return strings.TrimSpace(s.get(name))
}

// boolean reads true/false (any case); "" gives def.
func (s *stepInputs) boolean(name string, def bool) (bool, error) {
	switch v := strings.ToLower(s.trimmed(name)); v {
	case "":
		return def, nil
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	default:
		return false, fmt.Errorf("%s: %q is not true or false", name, v)
	}
}

// duration reads a Go duration (90s, 5m) or whole seconds; "" gives def.
// Zero and negative values are refused: every wait needs a bound.
func (s *stepInputs) duration(name string, def time.Duration) (time.Duration, error) {
	v := s.trimmed(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		n, nerr := strconv.Atoi(v)
		if nerr != nil {
			return 0, fmt.Errorf("%s: %q is not a duration such as 90s or 5m", name, v)
		}
		d = time.Duration(n) * time.Second
	}
	if d <= 0 {
		return 0, fmt.Errorf("%s: %q must be positive", name, v)
	}
	return d, nil
}

// integer reads a whole number; "" gives def.
func (s *stepInputs) integer(name string, def int) (int, error) {
	v := s.trimmed(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: %q is not a whole number", name, v)
	}
	return n, nil
}

// lines reads one value per line (commas also separate), without blanks.
func (s *stepInputs) lines(name string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s.get(name), func(r rune) bool { return r == '\n' || r == ',' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// stepIO is the step's side of the runner protocol (package step):
// workflow commands on stdout, $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY.
// Outside a job (no files) outputs are printed instead.
type stepIO struct {
	rt *step.Runtime
}

func newStepIO(proc Process) *stepIO {
	return &stepIO{rt: &step.Runtime{Log: proc.Stdout, OutputFile: proc.getenv("GITHUB_OUTPUT"), SummaryFile: proc.getenv("GITHUB_STEP_SUMMARY")}}
}

// mask registers each line of secret with the runner; call it before
// printing anything else.
func (s *stepIO) mask(secret string) { s.rt.Mask(secret) }

// command writes a workflow command such as ::error::.
func (s *stepIO) command(name, message string) { s.rt.Command(name, message) }

// output is one step output.
type output struct{ name, value string }

// setOutputs appends outputs to $GITHUB_OUTPUT.
func (s *stepIO) setOutputs(outputs []output) error {
	outs := make([]step.Output, len(outputs))
	for i, o := range outputs {
		outs[i] = step.Output{Name: o.name, Value: o.value}
	}
	return s.rt.SetOutputs(outs)
}

// summary appends Markdown to $GITHUB_STEP_SUMMARY.
func (s *stepIO) summary(markdown string) error {
	return s.rt.AddSummary(markdown + "\n")
}

// fail reports err as an ::error:: and returns the exit error for it.
func (s *stepIO) fail(code int, err error) error {
	s.command("error", err.Error())
	return &exitError{code: code, err: err, reported: true}
}

// finish writes outputs and the summary, then fails with runErr if set.
func (s *stepIO) finish(outputs []output, summary string, runErr error) error {
	werr := errors.Join(s.setOutputs(outputs), s.summary(summary))
	if runErr != nil {
		return s.fail(ExitFailed, runErr)
	}
	if werr != nil {
		return s.fail(ExitFailed, werr)
	}
	return nil
}

func boolText(b bool) string {
	return strconv.FormatBool(b)
}
