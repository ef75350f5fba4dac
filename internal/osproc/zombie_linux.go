package osproc

import (
	"fmt"
	"os"
	"strings"
)

// IsZombie reports whether pid has exited but not been reaped (its parent
// has not waited for it yet).
func IsZombie(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) STATE ...; comm may hold spaces and parentheses.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}
