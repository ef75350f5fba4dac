//go:build !unix

package docker

import (
	"errors"
	"io"
)

// output is unavailable here: steps write to a FIFO shared with the
// container, which needs a Unix host.
type output struct {
	path    string
	started bool
}

func openOutput(string) (*output, error) {
	return nil, errors.New("the Docker executor needs a Unix host running the Docker engine itself (Linux) to read steps' output")
}

func (*output) copyTo(io.Writer) error { return nil }
func (*output) stop()                  {}
func (*output) Close() error           { return nil }
