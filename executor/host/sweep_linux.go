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

// readProcs reads the parent, process group, state and start time of every
// process, or, with a pidMark, of those whose pids were handed out since.
func readProcs(since pidMark) map[int]proc {
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
	// Read after the listing, so the last pid handed out covers every
	// process listed.
	r := since.rangeNow(buf)
	for _, name := range names {
		if name == "" || name[0] < '0' || name[0] > '9' {
			continue
		}
		pid, err := strconv.Atoi(name)
		if err != nil || !r.has(pid) {
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
// descends from a marked one. first narrows the processes read to those
// whose pids were handed out since the first process (see pidMark): any
// other one is older, so neither marked nor descended from a marked one.
func sweep(mark string, since uint64, first pidMark, groups, leaders map[int]struct{}) int {
	self := os.Getpid()
	killed := map[int]struct{}{}
	buf := make([]byte, 16<<10)
	for range sweepRounds {
		procs := readProcs(first)
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

// reservedPids is where the kernel's pid counter starts again after
// reaching pid_max (RESERVED_PIDS).
const reservedPids = 300

// pidMark is where the kernel's pid counter stood when an Environment's
// first process started: that process's pid, and the machine's count of
// forks (processes and threads ever created) and of live threads then.
// The kernel hands out pids in rising order, going back to the low ones
// after pid_max, skipping pids in use. So, until the counter has gone right
// round, every process started since has a pid from first up to the last
// one handed out, wrapping past pid_max: sweep reads only those instead of
// every process on the machine (one /proc read each, 1.2 ms of a 25 ms
// job with 70 processes, several ms with hundreds). The counter moves at
// most once per fork and once per skipped pid in use, which were either
// live then or forked since; when that bound reaches a round, sweep reads
// every process. (A process writing ns_last_pid, as checkpoint-restore
// tools do, moves the counter too; anvil does not guard against that.)
type pidMark struct {
	first          int // 0: unknown, read every process
	forks, threads uint64
}

// markPids returns the pidMark of pid, the environment's first process;
// it is empty, and sweep reads every process, when /proc cannot tell.
func markPids(pid int) pidMark {
	buf := make([]byte, 4096)
	forks, ok1 := procForks(buf)
	threads, ok2 := procThreads(buf)
	if !ok1 || !ok2 {
		return pidMark{}
	}
	return pidMark{first: pid, forks: forks, threads: threads}
}

// rangeNow returns the pids processes started since m can have now,
// reading the pid counter; buf is a scratch buffer.
func (m pidMark) rangeNow(buf []byte) pidRange {
	if m.first == 0 {
		return pidRange{all: true}
	}
	last, ok1 := procInt("/proc/sys/kernel/ns_last_pid", buf)
	max, ok2 := procInt("/proc/sys/kernel/pid_max", buf)
	forks, ok3 := procForks(buf)
	if !ok1 || !ok2 || !ok3 {
		return pidRange{all: true}
	}
	return m.rangeAt(last, max, forks)
}

// rangeAt returns the pids processes started since m can have when the
// last pid handed out is last, pid_max is max and the fork count forks.
func (m pidMark) rangeAt(last, max int, forks uint64) pidRange {
	if m.first <= 0 || last <= 0 || m.first >= max || forks < m.forks {
		return pidRange{all: true}
	}
	// How far the counter can have moved: a step per fork and per pid in
	// use it skipped (live at the mark, or forked since).
	if moved := 2*(forks-m.forks) + m.threads; max <= reservedPids || moved >= uint64(max-reservedPids) {
		return pidRange{all: true}
	}
	if last >= m.first {
		return pidRange{from: m.first, to: last}
	}
	return pidRange{from: m.first, to: last, wrapped: true}
}

// pidRange is a set of pids: all of them, from..to, or, wrapped, from
// upwards and up to to.
type pidRange struct {
	all, wrapped bool
	from, to     int
}

// has reports whether pid is in r.
func (r pidRange) has(pid int) bool {
	switch {
	case r.all:
		return true
	case r.wrapped:
		return pid >= r.from || pid <= r.to
	default:
		return pid >= r.from && pid <= r.to
	}
}

// procForks reads the machine's fork count, the processes line of
// /proc/stat.
func procForks(buf []byte) (uint64, bool) {
	data, err := readProcFile("/proc/stat", buf)
	if err != nil {
		return 0, false
	}
	for line := range bytes.SplitSeq(data, []byte{'\n'}) {
		if v, ok := bytes.CutPrefix(line, []byte("processes ")); ok {
			n, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// procThreads reads the machine's count of live threads, the fourth field
// of /proc/loadavg ("running/total").
func procThreads(buf []byte) (uint64, bool) {
	data, err := readProcFile("/proc/loadavg", buf)
	if err != nil {
		return 0, false
	}
	fields := bytes.Fields(data)
	if len(fields) < 4 {
		return 0, false
	}
	_, total, ok := bytes.Cut(fields[3], []byte{'/'})
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(string(total), 10, 64)
	return n, err == nil
}

// procInt reads a /proc file holding one integer.
func procInt(path string, buf []byte) (int, bool) {
	data, err := readProcFile(path, buf)
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(string(bytes.TrimSpace(data)))
	return n, err == nil
}
