package terraform

import (
	"os/exec"
	"syscall"
)

// setProcessGroup starts cmd in its own process group and has the kernel
// interrupt it (SIGTERM, which Terraform handles like Ctrl-C) if anvil
// dies without forwarding an interrupt.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
