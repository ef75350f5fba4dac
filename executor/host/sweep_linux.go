//go:build linux

package host

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"sync"
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
	start      uint64 // clock ticks after boot
	zombie     bool
}

// statBufSize holds any /proc/PID/stat: 52 numbers and a name of at most
// 64 bytes.
const statBufSize = 2048

// readProcs reads every process's parent, process group, state and start
// time.
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
	buf := make([]byte, statBufSize)
	for _, name := range names {
		if name == "" || name[0] < '0' || name[0] > '9' {
			continue
		}
		pid, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		if p, ok := readStat(pid, buf); ok {
			out[pid] = p
		}
	}
	return out
}

// readStat reads process pid's /proc/PID/stat into buf and parses it; ok
// is false when the process is gone.
func readStat(pid int, buf []byte) (proc, bool) {
	data, err := readProcFile("/proc/"+strconv.Itoa(pid)+"/stat", buf)
	if err != nil {
		return proc{}, false
	}
	return parseStat(data)
}

// parseStat parses a /proc/PID/stat line, "pid (comm) state ppid pgrp
// ...": comm may hold spaces and ")", so the fields are counted from the
// last ")".
func parseStat(data []byte) (proc, bool) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return proc{}, false
	}
	// After comm: state ppid pgrp session tty_nr tpgid flags minflt
	// cminflt majflt cmajflt utime stime cutime cstime priority nice
	// num_threads itrealvalue starttime.
	var fields [20][]byte
	n := 0
	for f := range bytes.FieldsSeq(data[i+1:]) {
		fields[n] = f
		if n++; n == len(fields) {
			break
		}
	}
	if n < len(fields) || len(fields[0]) == 0 {
		return proc{}, false
	}
	ppid, err1 := strconv.Atoi(string(fields[1]))
	pgid, err2 := strconv.Atoi(string(fields[2]))
	start, err3 := strconv.ParseUint(string(fields[19]), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return proc{}, false
	}
	return proc{ppid: ppid, pgid: pgid, start: start, zombie: fields[0][0] == 'Z'}, true
}

// readProcFile reads the /proc file path with open, read and close alone,
// into buf when it fits: os.ReadFile's stat, poller registration and new
// buffer for each file made up most of a sweep's cost.
func readProcFile(path string, buf []byte) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	n := 0
	for {
		if n == len(buf) {
			buf = append(buf, make([]byte, len(buf))...)
		}
		m, err := unix.Read(fd, buf[n:])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if m == 0 {
			return buf[:n], nil
		}
		n += m
	}
}

// selfStart is when this process started, in /proc's clock ticks after
// boot; 0 when /proc cannot tell.
var selfStart = sync.OnceValue(func() uint64 {
	p, _ := readStat(os.Getpid(), make([]byte, statBufSize))
	return p.start
})

// startOf is when process pid started, in /proc's clock ticks after boot;
// 0 when /proc cannot tell.
func startOf(pid int) uint64 {
	p, _ := readStat(pid, make([]byte, statBufSize))
	return p.start
}

// marked reports whether process pid's environment holds the entry mark
// (KEY=VALUE). A zombie's, or another user's, cannot be read. buf is a
// scratch buffer.
func marked(pid int, mark string, buf []byte) bool {
	data, err := readProcFile("/proc/"+strconv.Itoa(pid)+"/environ", buf)
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
//
// since is when the environment's first process started (ticks after
// boot, as /proc tells): an older process cannot have inherited the mark,
// so sweep does not read its environment, which was most of its cost on a
// machine with a few hundred processes; it is still killed when it
// descends from a marked one.
func sweep(mark string, since uint64, groups, leaders map[int]struct{}) int {
	self := os.Getpid()
	killed := map[int]struct{}{}
	buf := make([]byte, 16<<10)
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
			p := procs[pid]
			v := k || (p.start >= since && marked(pid, mark, buf)) || belongs(p.ppid, depth+1)
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
