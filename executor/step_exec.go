package executor

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// fileCommands are the per-step files behind GITHUB_ENV, GITHUB_OUTPUT,
// GITHUB_PATH, GITHUB_STATE and GITHUB_STEP_SUMMARY.
type fileCommands struct {
	env, output, path, state, summary string
}

func (j *jobInstance) newFileCommands() (fileCommands, error) {
	n := j.engine().seq.Add(1)
	dir := filepath.Join(j.spec.Root, "files")
	f := fileCommands{
		env:     filepath.Join(dir, fmt.Sprintf("set_env_%d", n)),
		output:  filepath.Join(dir, fmt.Sprintf("set_output_%d", n)),
		path:    filepath.Join(dir, fmt.Sprintf("add_path_%d", n)),
		state:   filepath.Join(dir, fmt.Sprintf("save_state_%d", n)),
		summary: filepath.Join(dir, fmt.Sprintf("step_summary_%d", n)),
	}
	for _, p := range []string{f.env, f.output, f.path, f.state, f.summary} {
		if err := os.WriteFile(p, nil, j.privateMode(0o600)); err != nil {
			return f, fmt.Errorf("creating %s: %w", p, err)
		}
	}
	return f, nil
}

// privateMode is the mode of a file anvil writes for the job that may hold
// interpolated secrets (a step script, a file command): mode, for the
// owner only, when the job's processes run as anvil's user (host). A job
// container's user may be another one, so there the file is also open to
// others (0755 or 0666); the job's directory, mode 0700, keeps other users
// of the host away from it either way.
func (j *jobInstance) privateMode(mode os.FileMode) os.FileMode {
	if j.spec.Container == nil {
		return mode
	}
	if mode&0o100 != 0 {
		return 0o755
	}
	return 0o666
}

func (f fileCommands) remove() {
	for _, p := range []string{f.env, f.output, f.path, f.state, f.summary} {
		os.Remove(p)
	}
}

// processEnv builds a process environment: the base environment, the
// GITHUB_* and RUNNER_* variables, then env (job and step env), with
// GITHUB_PATH additions in front of PATH.
func (j *jobInstance) processEnv(env map[string]string) map[string]string {
	e := j.engine()
	g := j.github
	base := e.cfg.BaseEnv
	if p, ok := j.env.(BaseEnvProvider); ok {
		base = p.BaseEnv()
	}
	out := merged(base)
	set := func(k, v string) { out[k] = v }
	set("CI", "true")
	set("GITHUB_ACTIONS", "true")
	set("GITEA_ACTIONS", "true")
	set("FORGEJO_ACTIONS", "true")
	for _, k := range []string{"workflow", "run_id", "run_number", "run_attempt", "actor", "actor_id",
		"repository", "repository_id", "repository_owner", "repository_owner_id", "event_name", "sha", "ref", "ref_name",
		"ref_type", "ref_protected", "head_ref", "base_ref", "server_url", "api_url", "graphql_url", "job", "workspace", "triggering_actor", "retention_days"} {
		set("GITHUB_"+strings.ToUpper(k), githubString(g, k))
	}
	if j.env != nil {
		set("GITHUB_EVENT_PATH", j.env.Path(filepath.Join(j.spec.Root, "files", "event.json")))
		set("RUNNER_TEMP", j.env.Path(j.spec.Temp))
		set("RUNNER_TOOL_CACHE", j.env.Path(filepath.Join(j.spec.Root, "tool_cache")))
		set("RUNNER_WORKSPACE", j.env.Path(filepath.Dir(j.spec.Workspace)))
	}
	set("RUNNER_OS", runnerOS())
	set("RUNNER_ARCH", runnerArch())
	set("RUNNER_NAME", e.cfg.RunnerName)
	set("RUNNER_ENVIRONMENT", "self-hosted")
	if j.debug {
		set("RUNNER_DEBUG", "1")
	}
	for k, v := range j.runtime {
		out[k] = v
	}
	for k, v := range env {
		out[k] = v
	}
	paths := j.paths
	if e.cfg.SelfBinary != "" && j.env != nil {
		paths = append(append([]string{}, paths...), j.env.Path(j.spec.BinDir))
	}
	if len(paths) > 0 {
		out["PATH"] = strings.Join(append(append([]string{}, paths...), out["PATH"]), string(os.PathListSeparator))
	}
	return out
}

// exec runs one process for the step with the file commands wired up and
// applies what the step wrote to them.
func (s *stepRun) exec(ctx context.Context, args []string, dir string, extra map[string]string) error {
	j := s.j
	return s.withFileCommands(extra, func(env map[string]string, lw *LineWriter) (int, error) {
		code, err := j.env.Exec(ctx, Command{Args: args, Env: environ(env), Dir: dir}, lw)
		if err != nil {
			return code, fmt.Errorf("running %s: %w", args[0], err)
		}
		return code, nil
	})
}

// withFileCommands prepares the step's environment and file commands,
// calls run with the environment and the writer for its output, then
// applies the file commands and turns the exit code into an error.
func (s *stepRun) withFileCommands(extra map[string]string, run func(env map[string]string, out *LineWriter) (int, error)) error {
	j := s.j
	files, err := j.newFileCommands()
	if err != nil {
		return err
	}
	defer files.remove()
	env := j.processEnv(merged(s.env, extra))
	env["GITHUB_ENV"] = j.env.Path(files.env)
	env["GITHUB_OUTPUT"] = j.env.Path(files.output)
	env["GITHUB_PATH"] = j.env.Path(files.path)
	env["GITHUB_STATE"] = j.env.Path(files.state)
	env["GITHUB_STEP_SUMMARY"] = j.env.Path(files.summary)
	env["GITHUB_ACTION"] = s.id
	if s.sc.actionPath != "" {
		env["GITHUB_ACTION_PATH"] = j.env.Path(s.sc.actionPath)
	}
	out := newOutputProcessor(s, env)
	lw := NewLineWriter(out.line).OnDrop(out.dropped)
	code, runErr := run(env, lw)
	lw.Flush()
	if err := s.applyFiles(files); err != nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	if code != 0 {
		//lint:ignore ST1005 GitHub's runner ends a failed step with these exact words
		return fmt.Errorf("%w: Process completed with exit code %d.", errStepFailed, code)
	}
	if out.err != nil {
		return fmt.Errorf("%w: %v", errStepFailed, out.err)
	}
	return nil
}

// applyFiles reads the file commands the step wrote.
func (s *stepRun) applyFiles(f fileCommands) error {
	j := s.j
	read := func(path, what string) ([]KeyValue, error) {
		data, err := readCommandFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", what, err)
		}
		kvs, err := ParseEnvFile(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		return kvs, nil
	}
	kvs, err := read(f.env, "GITHUB_ENV")
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		if level, line, refused := EnvRefusal(kv.Key, "GITHUB_ENV"); refused {
			s.log(level, "%s", line)
			continue
		}
		j.jobEnv[kv.Key] = kv.Value
		if s.sc.env != nil {
			s.sc.env[kv.Key] = kv.Value
		}
	}
	if kvs, err = read(f.output, "GITHUB_OUTPUT"); err != nil {
		return err
	}
	for _, kv := range kvs {
		s.outputs[kv.Key] = kv.Value
	}
	if kvs, err = read(f.state, "GITHUB_STATE"); err != nil {
		return err
	}
	for _, kv := range kvs {
		s.state[kv.Key] = kv.Value
	}
	data, err := readCommandFile(f.path)
	if err != nil {
		return fmt.Errorf("reading GITHUB_PATH: %w", err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			j.paths = append([]string{l}, j.paths...)
		}
	}
	summary, err := readCommandFile(f.summary)
	if err != nil {
		return fmt.Errorf("reading GITHUB_STEP_SUMMARY: %w", err)
	}
	const maxSummary = 1 << 20
	if len(summary) > maxSummary {
		s.log("warning", "the step summary is %d bytes; only the first 1 MiB is kept", len(summary))
		summary = summary[:maxSummary]
	}
	s.summary.Write(summary)
	return nil
}

// readCommandFile reads a file command's file. Most steps write to none of
// them: an empty one costs a stat, not an open, a read and a close.
func readCommandFile(path string) ([]byte, error) {
	if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
		return nil, nil
	}
	return os.ReadFile(path)
}
