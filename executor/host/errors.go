package host

import "errors"

// ErrProgramNotFound is returned by Exec when the program is not in the PATH
// of the command's environment.
var ErrProgramNotFound = errors.New("program not found")

// ErrClosed is returned by Exec after the Environment was closed.
var ErrClosed = errors.New("environment is closed")

// ErrUnsupported is returned by Prepare on systems where the host backend
// cannot manage process groups.
var ErrUnsupported = errors.New("host backend not supported on this system")
