package executor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"codeberg.org/anvil-ci/anvil/pipeline/expr"
)

// shellCommand gives the command template for a shell: name, as GitHub
// documents them for Linux and macOS runners.
func shellCommand(shell string, explicit bool) (template, ext string) {
	switch shell {
	case "", "bash":
		if explicit {
			return "bash --noprofile --norc -eo pipefail {0}", ".sh"
		}
		return "bash -e {0}", ".sh"
	case "sh":
		return "sh -e {0}", ".sh"
	case "python":
		return "python {0}", ".py"
	case "pwsh":
		return "pwsh -command \". '{0}'\"", ".ps1"
	case "powershell":
		return "powershell -command \". '{0}'\"", ".ps1"
	case "cmd":
		return "cmd /D /E:ON /V:OFF /S /C \"CALL \"{0}\"\"", ".cmd"
	}
	return shell, ""
}

// splitCommand splits a shell template into arguments, honouring simple
// double and single quotes, and substitutes {0} with the script path.
func splitCommand(template, script string) []string {
	var (
		args  []string
		cur   strings.Builder
		quote rune
		any   bool
	)
	for _, r := range template {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, any = r, true
		case r == ' ' || r == '\t':
			if cur.Len() > 0 || any {
				args = append(args, cur.String())
				cur.Reset()
				any = false
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 || any {
		args = append(args, cur.String())
	}
	for i := range args {
		args[i] = strings.ReplaceAll(args[i], "{0}", script)
	}
	return args
}

// runScript runs a run: step.
func (s *stepRun) runScript(ctx context.Context, c *expr.Contexts) error {
	j, st := s.j, s.st
	script, err := c.Interpolate(st.Run)
	if err != nil {
		return fmt.Errorf("%s: run: %w", posString(st.Pos), err)
	}
	shell := st.Shell
	explicit := shell != ""
	if shell == "" && s.sc.depth == 0 {
		shell = s.sc.defaults.Shell
		explicit = shell != ""
	}
	if shell != "" {
		if shell, err = c.Interpolate(shell); err != nil {
			return fmt.Errorf("%s: shell: %w", posString(st.Pos), err)
		}
	}
	if shell == "" && s.sc.depth > 0 {
		return fmt.Errorf("%s: a run step in a composite action needs shell: (bash, sh, python, pwsh or a command with {0})", posString(st.Pos))
	}
	template, ext := shellCommand(shell, explicit)
	if !strings.Contains(template, "{0}") {
		template += " {0}"
	}
	if shell == "" && !j.hasProgram(ctx, "bash") {
		template, ext = "sh -e {0}", ".sh"
	}
	dir := st.WorkingDirectory
	if dir == "" && s.sc.depth == 0 {
		dir = s.sc.defaults.WorkingDirectory
	}
	if dir != "" {
		if dir, err = c.Interpolate(dir); err != nil {
			return fmt.Errorf("%s: working-directory: %w", posString(st.Pos), err)
		}
	}
	workdir := j.env.Path(j.spec.Workspace)
	if dir != "" {
		if filepath.IsAbs(dir) {
			workdir = dir
		} else {
			workdir = filepath.Join(workdir, dir)
			// GitHub runs it, and the step's script could cd there
			// anyway: a warning, not a failure.
			if _, err := workspacePath(j.spec.Workspace, dir); err != nil {
				s.log("warning", "working-directory: %v", err)
			}
		}
	}
	hostScript := filepath.Join(j.spec.Temp, fmt.Sprintf("%s-%d%s", safeFileName(s.id), j.engine().seq.Add(1), ext))
	if err := os.WriteFile(hostScript, []byte(script), j.privateMode(0o700)); err != nil {
		return fmt.Errorf("writing the step script: %w", err)
	}
	defer os.Remove(hostScript)
	args := splitCommand(template, j.env.Path(hostScript))
	s.log("group", "Run %s", firstLine(script))
	for _, l := range strings.Split(strings.TrimRight(script, "\n"), "\n") {
		s.log("", "%s", l)
	}
	s.log("", "shell: %s", template)
	s.log("endgroup", "")
	return s.exec(ctx, args, workdir, nil)
}

// firstLine returns the first non-empty line of s.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func safeFileName(s string) string {
	s = unsafeName().ReplaceAllString(s, "_")
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

// hasProgram reports whether name is on the job's PATH, as the job's
// environment sees it; environments that cannot tell are trusted to have it.
func (j *jobInstance) hasProgram(ctx context.Context, name string) bool {
	pf, ok := j.env.(ProgramFinder)
	if !ok {
		return true
	}
	return pf.HasProgram(ctx, name, j.processEnv(nil)["PATH"])
}
