package host

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"codeberg.org/anvil-ci/anvil/executor"
)

// toCmd translates c into the process to start, with output going to out.
// The process gets exactly c.Env (an empty environment when c.Env is
// empty, never anvil's own), stdin from /dev/null, and its own process
// group.
func toCmd(c executor.Command, out *os.File) (*exec.Cmd, error) {
	if len(c.Args) == 0 {
		return nil, errors.New("running a command: no program given")
	}
	if c.Dir != "" {
		// Checked here because a failed chdir in the child is reported as
		// if the program were missing.
		if fi, err := os.Stat(c.Dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("running %q: working directory %q does not exist or is not a directory", c.Args[0], c.Dir)
		}
	}
	path, err := lookPath(c.Args[0], c.Env, c.Dir)
	if err != nil {
		return nil, err
	}
	cmd := &exec.Cmd{
		Path:   path,
		Args:   c.Args,
		Env:    append([]string{}, c.Env...), // non-nil: nil would mean anvil's environment
		Dir:    c.Dir,
		Stdout: out,
		Stderr: out,
	}
	setProcessGroup(cmd)
	return cmd, nil
}

// lookPath finds the program name the way a shell started with env would:
// a name containing a slash is used as is (relative to dir), any other name
// is searched in the PATH found in env, not in anvil's own PATH. The result
// is absolute whenever dir is, so it does not depend on anvil's working
// directory.
func lookPath(name string, env []string, dir string) (string, error) {
	if strings.Contains(name, "/") {
		return resolve(name, dir), nil
	}
	pathList := envValue(env, "PATH")
	for _, d := range filepath.SplitList(pathList) {
		if d == "" {
			d = "."
		}
		candidate := resolve(filepath.Join(d, name), dir)
		if isExecutable(candidate) {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("%w: %q is not in PATH %q; install it or add its directory to the job's PATH", ErrProgramNotFound, name, pathList)
}

// resolve makes a relative path relative to dir.
func resolve(path, dir string) string {
	if filepath.IsAbs(path) || dir == "" {
		return path
	}
	return filepath.Join(dir, path)
}

// envValue returns the value of the last key=value entry for key in env,
// the one a process sees.
func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// isExecutable reports whether path is a regular file someone may execute.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}
