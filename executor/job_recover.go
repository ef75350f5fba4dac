package executor

import (
	"fmt"
	"runtime/debug"
	"strings"
)

// recovered turns a panic while a job ran (in anvil or a backend) into the
// failure of that job alone, with the reason and the stack in its log, so
// that neither the other jobs nor the process running them go down.
func (j *jobInstance) recovered(v any) (Result, string) {
	msg := fmt.Sprintf("anvil failed while running this job (panic: %v), so the job failed; other jobs are not affected. This is a bug in anvil or its executor: please report it with the stack below.", v)
	j.logf("error", "%s", msg)
	j.logf("group", "Stack of the failure")
	for line := range strings.Lines(string(debug.Stack())) {
		j.logf("", "%s", strings.TrimRight(line, "\n"))
	}
	j.logf("endgroup", "")
	return ResultFailure, msg
}
