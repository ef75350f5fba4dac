//go:build linux

package host

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// sweepRounds bounds how often sweep looks for survivors: a process that
// forks as fast as it is killed is given up on after this many rounds.
const sweepRounds = 50

// becomeSubreaper makes this process the reaper of its orphaned
// descendants (PR_SET_CHILD_SUBREAPER): a process a step detached with
// setsid or a double fork becomes a child of anvil instead of init, so it
// stays a zombie, its pid reserved, until sweep reaps it. It is a property
// of the whole process and setting it twice is harmless.
func becomeSubreaper() {
	_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// proc is what sweep needs from /proc/PID/stat.
type proc struct {
	ppid, pgid int
	zombie     bool
}

// readProcs reads every process's parent, process group and state.
func readProcs() map[int]proc {
	out := map[int]proc{}
	// Listing /proc and reading each stat file directly: filepath.Glob
	// would also list every /proc/PID directory, which cost more than the
	// rest of a short job's teardown.
	dir, err := os.Open("/proc")
	if err != nil {
		return out
	}
	names, _ := dir.Readdirnames(-1)
	dir.Close()
	for _, name := range names {
		if name == "" || name[0] < '0' || name[0] > '9' {
			continue
		}
		data, err := os.ReadFile("/proc/" + name + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// "pid (comm) state ppid pgrp ...": comm may hold spaces and ")".
		i := bytes.LastIndexByte(data, ')')
		if i < 0 {
			continue
		}
		fields := bytes.Fields(data[i+1:])
		pid, err1 := strconv.Atoi(string(bytes.Fields(data)[0]))
		if len(fields) < 3 || err1 != nil {
			continue
		}
		ppid, _ := strconv.Atoi(string(fields[1]))
		pgid, _ := strconv.Atoi(string(fields[2]))
		out[pid] = proc{ppid: ppid, pgid: pgid, zombie: fields[0][0] == 'Z'}
	}
	return out
}

// marked reports whether process pid's environment holds the entry mark
// (KEY=VALUE). A zombie's, or another user's, cannot be read.
func marked(pid int, mark string) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return false
	}
	for entry := range bytes.SplitSeq(data, []byte{0}) {
		if string(entry) == mark {
			return true
		}
	}
	return false
}

// sweep kills every process of an environment that is still running: each
// one whose environment holds mark (every process a step starts inherits
// it, including those it detaches with setsid or a double fork) and each
// descendant of one. It repeats until a round finds none, then reaps the
// killed processes and the zombies of groups that became children of this
// process (it is their subreaper), leaving alone leaders, which Exec
// reaps. It returns how many processes it killed.
func sweep(mark string, groups, leaders map[int]struct{}) int {
	self := os.Getpid()
	killed := map[int]struct{}{}
	for range sweepRounds {
		procs := readProcs()
		memo := map[int]bool{}
		var belongs func(pid int, depth int) bool
		belongs = func(pid, depth int) bool {
			if pid <= 1 || pid == self || depth > len(procs) {
				return false
			}
			if v, ok := memo[pid]; ok {
				return v
			}
			memo[pid] = false // cycles end here
			_, k := killed[pid]
			v := k || marked(pid, mark) || belongs(procs[pid].ppid, depth+1)
			memo[pid] = v
			return v
		}
		found := false
		for pid, p := range procs {
			if p.zombie || !belongs(pid, 0) {
				continue
			}
			if err := syscall.Kill(pid, syscall.SIGKILL); err == nil {
				killed[pid] = struct{}{}
				found = true
			}
		}
		reaped := false
		for pid, p := range procs {
			_, k := killed[pid]
			_, g := groups[p.pgid]
			if _, l := leaders[pid]; !l && p.zombie && p.ppid == self && (k || g) {
				reap(pid)
				reaped = true
			}
		}
		// Reaping a zombie makes its own zombie children ours: look again.
		if !found && !reaped {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return len(killed)
}

// reap collects the exit status of child pid if it has ended.
func reap(pid int) {
	var ws syscall.WaitStatus
	_, err := syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
	if errors.Is(err, syscall.EINTR) {
		_, _ = syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
	}
}
