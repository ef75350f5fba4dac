//go:build unix

package testkit

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Running reports whether process pid has not ended. A zombie (ended, not
// yet reaped by whoever inherited it) has ended.
func Running(pid int) bool {
	if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc: trust kill(2)
	}
	// The state follows the parenthesised command name, which may itself
	// hold parentheses: "pid (comm) S ...".
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// ReadPids reads the process ids a test's processes wrote to file,
// separated by white space, and fails the test unless there are n.
func ReadPids(tb testing.TB, file string, n int) []int {
	tb.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	fields := strings.Fields(string(data))
	if len(fields) != n {
		tb.Fatalf("pid file = %q, want %d pids", data, n)
	}
	pids := make([]int, len(fields))
	for i, f := range fields {
		if pids[i], err = strconv.Atoi(f); err != nil {
			tb.Fatalf("pid file = %q: %v", data, err)
		}
	}
	return pids
}

// CheckEnded gives the processes pids five seconds to end (the kernel
// delivers a kill asynchronously), then fails the test for each one still
// running, with the message "process PID " + what, and kills it so that
// it does not outlive the test.
func CheckEnded(tb testing.TB, pids []int, what string) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for Running(pid) && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if Running(pid) {
			tb.Errorf("process %d %s", pid, what)
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
}
