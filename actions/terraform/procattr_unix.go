//go:build unix && !linux

package terraform

import (
	"os/exec"
	"syscall"
)

// setProcessGroup starts cmd in its own process group.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
