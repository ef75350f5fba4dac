package executor

import (
	"errors"
	"fmt"
	"strings"
)

// outputProcessor turns a step's output lines into log events, acting on
// workflow commands (::add-mask::, ::group::, ::error::, ...) on the way.
type outputProcessor struct {
	s         *stepRun
	stopToken string
	unsecure  bool
	err       error
}

func newOutputProcessor(s *stepRun, env map[string]string) *outputProcessor {
	return &outputProcessor{s: s, unsecure: strings.EqualFold(env["ACTIONS_ALLOW_UNSECURE_COMMANDS"], "true")}
}

// line handles one line of output.
func (o *outputProcessor) line(l string) {
	s := o.s
	cmd, ok := ParseWorkflowCommand(l)
	if !ok {
		s.log("", "%s", l)
		return
	}
	if o.stopToken != "" {
		if strings.EqualFold(cmd.Name, o.stopToken) {
			o.stopToken = ""
			return
		}
		s.log("", "%s", l)
		return
	}
	switch cmd.Name {
	case "add-mask":
		s.j.engine().masker.Add(cmd.Value)
	case "group":
		s.log("group", "%s", cmd.Value)
	case "endgroup":
		s.log("endgroup", "")
	case "debug":
		if s.j.debug {
			s.log("debug", "%s", cmd.Value)
		}
	case "notice", "warning", "error":
		s.log(cmd.Name, "%s", annotation(cmd))
	case "stop-commands":
		if cmd.Value == "" {
			s.log("warning", "::stop-commands:: needs a token to resume with: ::stop-commands::TOKEN")
			return
		}
		o.stopToken = cmd.Value
	case "save-state":
		s.log("warning", "The `save-state` command is deprecated. Write to the file in $GITHUB_STATE instead.")
		s.state[cmd.Params["name"]] = cmd.Value
	case "set-output":
		s.log("warning", "The `set-output` command is deprecated. Write to the file in $GITHUB_OUTPUT instead.")
		s.outputs[cmd.Params["name"]] = cmd.Value
	case "set-env", "add-path":
		if !o.unsecure {
			msg := fmt.Sprintf("Unable to process command '%s' successfully. The `%s` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the `ACTIONS_ALLOW_UNSECURE_COMMANDS` environment variable to `true`.", l, cmd.Name)
			s.log("error", "%s", msg)
			o.err = errors.Join(o.err, fmt.Errorf("the %s command is disabled (see above)", cmd.Name))
			return
		}
		if cmd.Name == "set-env" {
			if level, line, refused := EnvRefusal(cmd.Params["name"], "set-env"); refused {
				s.log(level, "%s", line)
				return
			}
			s.j.jobEnv[cmd.Params["name"]] = cmd.Value
			if s.sc.env != nil {
				s.sc.env[cmd.Params["name"]] = cmd.Value
			}
		} else {
			s.j.paths = append([]string{cmd.Value}, s.j.paths...)
		}
	case "echo":
		// ::echo::on|off changes how the runner echoes commands; anvil
		// never echoes them, so there is nothing to do.
	default:
		s.log("", "%s", l)
	}
}

// dropped handles a line too long to be shown (see LineWriter): its head
// is all that is known of it. An ::add-mask:: that long still masks what it
// can, the value's first MaxLineBuffer bytes, and says so.
func (o *outputProcessor) dropped(head string, size int) {
	if cmd, ok := ParseWorkflowCommand(head); ok && o.stopToken == "" && cmd.Name == "add-mask" {
		o.s.j.engine().masker.Add(cmd.Value)
		o.s.log("warning", "::add-mask:: got a value of about %d bytes; only its first %d MiB are masked. Mask shorter values.", size, MaxLineBuffer>>20)
		return
	}
	o.s.log("", "%s", droppedNotice(size))
}

// annotation renders an ::error/::warning/::notice command for the log.
func annotation(cmd WorkflowCommand) string {
	var where []string
	if f := cmd.Params["file"]; f != "" {
		loc := f
		if l := cmd.Params["line"]; l != "" {
			loc += ":" + l
			if c := cmd.Params["col"]; c != "" {
				loc += ":" + c
			}
		}
		where = append(where, loc)
	}
	text := cmd.Value
	if t := cmd.Params["title"]; t != "" {
		text = t + ": " + text
	}
	if len(where) > 0 {
		return strings.Join(where, " ") + ": " + text
	}
	return text
}
