package osproc

import (
	"os"
	"syscall"
)

// Alive reports whether p (process id pid) exists and is not a zombie.
func Alive(p *os.Process, pid int) bool {
	if err := p.Signal(syscall.Signal(0)); err != nil {
		return false
	}
	return !IsZombie(pid)
}
