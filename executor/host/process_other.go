//go:build !unix

package host

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
)

// supported reports that this system cannot run the host backend.
func supported() error {
	return fmt.Errorf("%w (%s): run jobs in containers with the docker backend instead", ErrUnsupported, runtime.GOOS)
}

func setProcessGroup(*exec.Cmd) {}

func interruptGroup(int) error { return supported() }

func killGroup(int) error { return supported() }

func groupAlive(int) bool { return false }

func exitCode(state *os.ProcessState) int { return state.ExitCode() }
