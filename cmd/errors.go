package cmd

import "fmt"

// exitError carries the exit status an error stands for.
type exitError struct {
	code int
	err  error
	// reported is true when the problem was already printed in full.
	reported bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageError marks err as a problem with the command line or the
// workflows: exit status 2.
func usageError(err error) error {
	return &exitError{code: ExitUsage, err: err}
}

// usageErrorf formats a usage error.
func usageErrorf(format string, args ...any) error {
	return usageError(fmt.Errorf(format, args...))
}

// errJobsFailed is returned when the run finished but not every job
// succeeded; the printer already said which.
var errJobsFailed = &exitError{code: ExitFailed, reported: true}
