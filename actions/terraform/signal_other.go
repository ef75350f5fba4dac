//go:build !unix

package terraform

import (
	"os"
	"os/exec"
)

// setProcessGroup does nothing where there are no process groups.
func setProcessGroup(*exec.Cmd) {}

// interruptGroup kills process pid: this platform cannot interrupt it.
func interruptGroup(pid int) error { return killGroup(pid) }

// killGroup kills process pid.
func killGroup(pid int) error {
	p, err := os.FindProcess(pid)
	if err != nil {
		return err
	}
	return p.Kill()
}
