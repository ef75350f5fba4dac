package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Action runs the Terraform actions in one job step.
type Action struct {
	// Runtime is where logs, outputs and the summary go.
	Runtime *Runtime
	// Tool runs terraform.
	Tool *Tool
	// ScryptWorkFactor is age's scrypt work factor (log2 N) for encrypted
	// bundles; 0 means age's default, 18. Tests lower it.
	ScryptWorkFactor int
}

// run runs terraform in dir with args under a folded log group titled
// with the command, feeding its -json output (or its text) through a
// Stream, and returns its exit code with the stream.
func (a *Action) run(ctx context.Context, dir string, env []string, args ...string) (int, *Stream, error) {
	s := &Stream{Log: a.Runtime.Log}
	var code int
	var err error
	a.Runtime.Group("terraform "+strings.Join(displayArgs(args), " "), func() {
		code, err = a.Tool.Run(ctx, Invocation{Dir: dir, Args: args, Env: env, Stdout: s})
		s.Flush()
	})
	return code, s, err
}

// capture runs terraform in dir with args and returns its stdout; a
// non-zero exit is an error that quotes stderr's last lines.
func (a *Action) capture(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	var out bytes.Buffer
	code, err := a.Tool.Run(ctx, Invocation{Dir: dir, Args: args, Env: env, Stdout: &out})
	if err != nil {
		return nil, err
	}
	if code != 0 {
		return nil, fmt.Errorf("terraform %s exited with %d; see its messages above", strings.Join(displayArgs(args), " "), code)
	}
	return out.Bytes(), nil
}

// version returns the Terraform version ("terraform version -json").
func (a *Action) version(ctx context.Context, dir string) (string, error) {
	out, err := a.capture(ctx, dir, nil, "version", "-json")
	if err != nil {
		return "", fmt.Errorf("reading the Terraform version: %w", err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil || v.Version == "" {
		return "", fmt.Errorf("reading the Terraform version: terraform version -json printed no terraform_version; use Terraform 1.x")
	}
	return v.Version, nil
}

// init runs terraform init in dir with the backend settings.
func (a *Action) init(ctx context.Context, dir string, env, backendConfig []string, extra ...string) error {
	args := []string{"init", "-input=false", "-no-color"}
	args = append(args, extra...)
	for _, bc := range backendConfig {
		args = append(args, "-backend-config="+bc)
	}
	code, _, err := a.run(ctx, dir, env, args...)
	if err != nil {
		return initFailure(ctx, err)
	}
	if code != 0 {
		return failf(ReasonInitFailed, "terraform init exited with %d in %s; see its messages above", code, dir)
	}
	return nil
}

// selectWorkspace selects workspace in dir, creating it when missing, and
// returns the workspace in use ("" selects nothing).
func (a *Action) selectWorkspace(ctx context.Context, dir, workspace string) (string, error) {
	if workspace == "" {
		out, err := a.capture(ctx, dir, nil, "workspace", "show")
		if err != nil {
			return "", ctxFailure(ctx, fmt.Errorf("reading the current workspace: %w", err))
		}
		return strings.TrimSpace(string(out)), nil
	}
	out, err := a.capture(ctx, dir, nil, "workspace", "list")
	if err != nil {
		return "", ctxFailure(ctx, fmt.Errorf("listing workspaces: %w", err))
	}
	verb := "new"
	if slices.Contains(workspaceNames(string(out)), workspace) {
		verb = "select"
	}
	code, _, err := a.run(ctx, dir, nil, "workspace", verb, "-no-color", workspace)
	if err != nil {
		return "", ctxFailure(ctx, err)
	}
	if code != 0 {
		return "", failf(ReasonInitFailed, "terraform workspace %s %q failed; see the messages above", verb, workspace)
	}
	return workspace, nil
}

// workspaceNames reads "terraform workspace list": one name per line, the
// current one marked with "* ".
func workspaceNames(list string) []string {
	var names []string
	for _, l := range strings.Split(list, "\n") {
		if name := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "* ")); name != "" {
			names = append(names, name)
		}
	}
	return names
}

// ctxFailure turns an error of a run whose context ended into a cancelled
// or timeout Failure; other errors are returned as they are.
func ctxFailure(ctx context.Context, err error) error {
	var f *Failure
	switch {
	case errors.As(err, &f):
		return err
	case errors.Is(context.Cause(ctx), context.DeadlineExceeded):
		return &Failure{Reason: ReasonTimeout, Err: fmt.Errorf("%w; raise the timeout input if the operation needs longer", err)}
	case ctx.Err() != nil:
		return &Failure{Reason: ReasonCancelled, Err: err}
	}
	return err
}

// initFailure is ctxFailure, with init-failed for errors that are not the
// context's (terraform missing or not starting).
func initFailure(ctx context.Context, err error) error {
	err = ctxFailure(ctx, err)
	if ReasonOf(err) == "" {
		return &Failure{Reason: ReasonInitFailed, Err: err}
	}
	return err
}

// workingDir makes dir absolute and checks that it exists.
func workingDir(dir string) (string, error) {
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", failf(ReasonInvalidInput, "working-directory %s: %w", dir, err)
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		return "", failf(ReasonInvalidInput, "working-directory %s is not a directory; check out the repository first and give the directory of the Terraform configuration", dir)
	}
	return abs, nil
}

// displayArgs shortens arguments for group titles: values of -var and
// -backend-config may be secrets, so only their names are shown.
func displayArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for _, a := range args {
		for _, flag := range []string{"-var=", "-backend-config="} {
			if v, ok := strings.CutPrefix(a, flag); ok {
				if name, _, isKV := strings.Cut(v, "="); isKV {
					a = flag + name + "=…"
				}
			}
		}
		out = append(out, a)
	}
	return out
}

// failureOutputs are the outputs every action sets when it fails.
func failureOutputs(err error) []Output {
	outs := []Output{{Name: "failure-reason", Value: string(ReasonOf(err))}}
	var f *Failure
	if errors.As(err, &f) && f.Lock != nil {
		info, _ := json.Marshal(f.Lock)
		outs = append(outs, Output{Name: "lock-id", Value: f.Lock.ID}, Output{Name: "lock-info", Value: string(info)})
	}
	return outs
}
