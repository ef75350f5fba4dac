//go:build unix

package host

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// supported reports whether this system can run the host backend.
func supported() error { return nil }

// setProcessGroup makes cmd's process the leader of a new process group, so
// signals reach everything it starts.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// interruptGroup sends SIGINT to every process in group pgid.
func interruptGroup(pgid int) error { return signalGroup(pgid, syscall.SIGINT) }

// killGroup sends SIGKILL to every process in group pgid.
func killGroup(pgid int) error { return signalGroup(pgid, syscall.SIGKILL) }

// signalGroup signals group pgid; a group with no process left is no error.
func signalGroup(pgid int, sig syscall.Signal) error {
	err := syscall.Kill(-pgid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// groupAlive reports whether group pgid may still have a process.
func groupAlive(pgid int) bool {
	return !errors.Is(syscall.Kill(-pgid, 0), syscall.ESRCH)
}

// exitCode returns the exit status, or 128+n for a process killed by
// signal n, as shells report it.
func exitCode(state *os.ProcessState) int {
	if ws, ok := state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return state.ExitCode()
}
