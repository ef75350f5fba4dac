package step

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Input declares one input of a shipped action: its name, as in
// action.yml and as the flag of its anvil subcommand, and a one-line
// usage.
type Input struct {
	Name, Usage string
}

// Inputs reads a step's inputs under one set of rules, the same for every
// shipped action:
//
//   - A value comes from the flag of the input's name when it was given,
//     else from INPUT_<NAME> with the name in upper case and "-" as "_"
//     (INPUT_DRY_RUN, what the action.yml files set), else from
//     INPUT_<NAME> with "-" kept (INPUT_DRY-RUN, as GitHub names inputs
//     for JavaScript actions). An empty value means the default.
//   - Bool: true/false, yes/no or 1/0, in any case.
//   - Int: a whole number, 0 or more.
//   - Duration: a Go duration (90s, 5m, 1h30m) or whole seconds (90). It
//     must be positive: 0 and 0s are refused, since every wait and
//     timeout of a shipped action needs a bound (and "no timeout" and
//     "at once" would both be plausible readings of 0).
//   - List: split on newlines and commas, each item trimmed, empty items
//     dropped. Lines splits on newlines only, for NAME=VALUE entries whose
//     values may hold commas (Terraform variables, backend settings).
//
// Inputs collects the problems of every read; Err returns them all at
// once. One parse reads one Inputs.
type Inputs struct {
	lookup   func(name string) (string, bool)
	problems []error
}

// NewInputs returns Inputs reading flag first (nil, or the value of a flag
// given on the command line) and then env (the step's environment).
func NewInputs(flag, env func(name string) (string, bool)) *Inputs {
	return &Inputs{lookup: func(name string) (string, bool) {
		if flag != nil {
			if v, ok := flag(name); ok {
				return v, true
			}
		}
		if env == nil {
			return "", false
		}
		upper := "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
		if v, ok := env(strings.ReplaceAll(upper, "-", "_")); ok {
			return v, true
		}
		return env(upper)
	}}
}

// MapInputs returns Inputs reading the values of m by input name, as
// flags; tests use it.
func MapInputs(m map[string]string) *Inputs {
	return NewInputs(func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}, nil)
}

// Raw returns the value as given, untrimmed: secrets, passphrases and
// commit messages keep their spaces.
func (in *Inputs) Raw(name string) string {
	v, _ := in.lookup(name)
	return v
}

// String returns the value with surrounding space trimmed.
func (in *Inputs) String(name string) string {
	return strings.TrimSpace(in.Raw(name))
}

// Bool reads true/false, yes/no or 1/0 in any case; "" gives def.
func (in *Inputs) Bool(name string, def bool) bool {
	switch v := strings.ToLower(in.String(name)); v {
	case "":
		return def
	case "true", "yes", "1":
		return true
	case "false", "no", "0":
		return false
	}
	in.Problemf("input %s is %q; write true or false (yes/no and 1/0 also work)", name, in.String(name))
	return def
}

// Int reads a whole number, 0 or more; "" gives def.
func (in *Inputs) Int(name string, def int) int {
	v := in.String(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		in.Problemf("input %s is %q; write a whole number such as 3", name, v)
		return def
	}
	return n
}

// Duration reads a positive Go duration or whole seconds; "" gives def.
func (in *Inputs) Duration(name string, def time.Duration) time.Duration {
	v := in.String(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		n, nerr := strconv.Atoi(v)
		if nerr != nil {
			in.Problemf("input %s is %q; write a duration such as 90s or 5m, or whole seconds", name, v)
			return def
		}
		d = time.Duration(n) * time.Second
	}
	if d <= 0 {
		in.Problemf("input %s is %q; write a positive duration such as 90s or 5m (leave it empty for the default %s)", name, v, def)
		return def
	}
	return d
}

// List reads items separated by newlines or commas, trimmed, without
// empty ones.
func (in *Inputs) List(name string) []string {
	return split(in.Raw(name), func(r rune) bool { return r == '\n' || r == ',' })
}

// Lines reads one item per line, trimmed, without empty ones: for
// NAME=VALUE entries whose values may hold commas.
func (in *Inputs) Lines(name string) []string {
	return split(in.Raw(name), func(r rune) bool { return r == '\n' })
}

func split(s string, sep func(rune) bool) []string {
	var out []string
	for _, item := range strings.FieldsFunc(s, sep) {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// Problem records a problem found while reading the inputs; nil is
// ignored.
func (in *Inputs) Problem(err error) {
	if err != nil {
		in.problems = append(in.problems, err)
	}
}

// Problemf records a problem formatted like fmt.Errorf.
func (in *Inputs) Problemf(format string, args ...any) {
	in.Problem(fmt.Errorf(format, args...))
}

// Err returns every problem recorded so far, or nil.
func (in *Inputs) Err() error {
	return errors.Join(in.problems...)
}

// WithTimeout bounds ctx by an action's timeout input; when it runs out,
// the context's cause says so and what to raise.
func WithTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, d, fmt.Errorf("the action's timeout of %s ran out (raise input timeout): %w", d, context.DeadlineExceeded))
}

// Sleep waits for d, or until ctx ends, whose error it then returns: the
// wait between an action's polls and retries.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
