package localrun

import "fmt"

// UsageError is a problem with what the user gave: a flag, a path, a file
// or the workflows. cmd exits with status 2 for it.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }

func (e *UsageError) Unwrap() error { return e.Err }

// usageError marks err as a usage error.
func usageError(err error) error { return &UsageError{Err: err} }

// usageErrorf formats a usage error.
func usageErrorf(format string, args ...any) error {
	return usageError(fmt.Errorf(format, args...))
}
