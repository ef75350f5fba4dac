//go:build unix

package terraform

import (
	"errors"
	"syscall"
)

// interruptGroup sends SIGINT to process group pgid, as Ctrl-C does.
func interruptGroup(pgid int) error { return signalGroup(pgid, syscall.SIGINT) }

// killGroup sends SIGKILL to process group pgid.
func killGroup(pgid int) error { return signalGroup(pgid, syscall.SIGKILL) }

// signalGroup signals group pgid; a group that is gone is no error.
func signalGroup(pgid int, sig syscall.Signal) error {
	if err := syscall.Kill(-pgid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		return err
	}
	return nil
}
