//go:build linux

package host

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// detachScript starts a process in its own session (setsid) and one behind
// a double fork, writes their pids to $PIDFILE and, with "wait", waits.
const detachScript = `setsid sleep 300 & echo $! >> "$PIDFILE"
( (sleep 300 & echo $! >> "$PIDFILE") & )
echo started
if [ "$1" = wait ]; then sleep 300; fi`

// TestCloseKillsDetachedProcesses is issue 11's item 4 for the host
// backend: processes a step detaches with setsid or a double fork, which
// leave its process group, are gone after Close, once the step ended
// normally and once it was cancelled, and none is left as a zombie.
func TestCloseKillsDetachedProcesses(t *testing.T) {
	t.Parallel()
	for _, cancelled := range []bool{false, true} {
		t.Run(map[bool]string{false: "after the job", true: "after a cancel"}[cancelled], func(t *testing.T) {
			t.Parallel()
			env, root := testEnv(t, 200*time.Millisecond)
			pidFile := filepath.Join(root, "pids")
			arg := ""
			if cancelled {
				arg = "wait"
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var out testkit.LockedBuffer
			res := execAsync(ctx, env, executor.Command{
				Args: []string{"sh", "-c", detachScript, "sh", arg},
				Env:  append(shEnv(), "PIDFILE="+pidFile),
			}, &out)
			pids := readPids(t, pidFile, 2)
			if cancelled {
				testkit.WaitFor(t, 10*time.Second, "the step to start", func() bool { return out.String() == "started\n" })
				// setsid may not have run yet on a busy machine; until it
				// has, the process is still in the step's group, which the
				// cancel kills.
				testkit.WaitFor(t, 10*time.Second, "the setsid process to lead its own group", func() bool {
					p, ok := readStat(pids[0], make([]byte, 512))
					return ok && p.pgid == pids[0]
				})
				cancel()
			}
			if r := <-res; r.err != nil {
				t.Fatalf("Exec = %d, %v", r.code, r.err)
			}
			// A cancel kills the step's process group, which holds the
			// double-forked process; the one in its own session survives
			// until Close.
			alivePids := pids
			if cancelled {
				alivePids = pids[:1]
			}
			for _, pid := range alivePids {
				if !testkit.Running(pid) {
					t.Fatalf("process %d ended with its step; the test needs it alive until Close", pid)
				}
			}
			if err := env.Close(t.Context()); err != nil {
				t.Fatalf("Close: %v", err)
			}
			testkit.CheckEnded(t, pids, "outlived Close")
			testkit.WaitFor(t, 10*time.Second, "the killed processes to be reaped", func() bool {
				for _, pid := range pids {
					if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
						return false
					}
				}
				return true
			})
		})
	}
}

// TestCloseSparesOtherJobs checks that Close of one job leaves the
// detached processes of another job alone: the mark tells them apart.
func TestCloseSparesOtherJobs(t *testing.T) {
	t.Parallel()
	mine, _ := testEnv(t, time.Second)
	other, root := testEnv(t, time.Second)
	pidFile := filepath.Join(root, "pids")
	if _, err := other.Exec(t.Context(), executor.Command{
		Args: []string{"sh", "-c", detachScript}, Env: append(shEnv(), "PIDFILE="+pidFile),
	}, &testkit.LockedBuffer{}); err != nil {
		t.Fatal(err)
	}
	pids := readPids(t, pidFile, 2)
	if err := mine.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		if !testkit.Running(pid) {
			t.Errorf("closing one job killed process %d of another", pid)
		}
	}
	if err := other.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	testkit.CheckEnded(t, pids, "outlived Close")
}

// BenchmarkSweepNothingLeft is the cost of the sweep at the end of a job
// whose processes all ended, the common case that every host job pays:
// reading the environment of every process (since 0), of those that
// started after this one, and, as Close does, that and only the processes
// whose pids were handed out since a process started at the benchmark's
// start (pids-since-start).
func BenchmarkSweepNothingLeft(b *testing.B) {
	env := newEnvironment(time.Second, "bench")
	first := exec.Command("true")
	if err := first.Start(); err != nil {
		b.Fatal(err)
	}
	mark := markPids(first.Process.Pid)
	if err := first.Wait(); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		since uint64
		first pidMark
	}{{"every-process", 0, pidMark{}}, {"since-start", selfStart(), pidMark{}}, {"pids-since-start", selfStart(), mark}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if n := sweep(env.mark, c.since, c.first, map[int]struct{}{}, map[int]struct{}{}); n != 0 {
					b.Fatalf("the sweep killed %d processes of a job that started none", n)
				}
			}
		})
	}
}

// TestParseStat checks the fields sweep takes from /proc/PID/stat, also
// when the process's name holds spaces and parentheses, and that a
// truncated line is refused rather than misread.
func TestParseStat(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, line string
		want       proc
		ok         bool
	}{
		{"start not a number", "42 (sleep) S 7 42 7 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 soon 1234 5678", proc{}, false},
		{"running", "42 (sleep) S 7 42 7 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 98765 1234 5678",
			proc{ppid: 7, pgid: 42, start: 98765}, true},
		{"zombie", "43 (sh) Z 1 40 40 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 5 0 0",
			proc{ppid: 1, pgid: 40, start: 5, zombie: true}, true},
		{"odd name", "44 (a) S 9 9 (b) R 8 44 44 0 -1 4194304 100 0 0 0 0 0 0 0 20 0 1 0 77 0 0",
			proc{ppid: 8, pgid: 44, start: 77}, true},
		{"truncated", "45 (sh) S 1 45 45 0", proc{}, false},
		{"no name", "46 S 1 45 45", proc{}, false},
	} {
		got, ok := parseStat([]byte(c.line + "\n"))
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("%s: parseStat = %+v, %v; want %+v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// TestReadProcsFindsChild checks readProcs against a real child: its
// parent is this process, it leads its own group, and it started no
// earlier than this process.
func TestReadProcsFindsChild(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("sleep", "60")
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	for _, since := range []pidMark{{}, markPids(cmd.Process.Pid)} {
		procs := readProcs(since)
		p, ok := procs[cmd.Process.Pid]
		if !ok {
			t.Fatalf("readProcs(%+v) did not list child %d", since, cmd.Process.Pid)
		}
		if p.ppid != os.Getpid() || p.pgid != cmd.Process.Pid || p.zombie {
			t.Errorf("child %d read as %+v; want parent %d, group %d, not a zombie", cmd.Process.Pid, p, os.Getpid(), cmd.Process.Pid)
		}
		if _, self := procs[os.Getpid()]; self != (since.first == 0) {
			t.Errorf("readProcs(%+v) lists this older process: %v, want %v", since, self, since.first == 0)
		}
		if self := selfStart(); self == 0 || p.start < self || startOf(cmd.Process.Pid) != p.start {
			t.Errorf("child's start %d, this process's %d, startOf %d: want the child's no earlier and startOf the same",
				p.start, self, startOf(cmd.Process.Pid))
		}
	}
}

// TestPidRange checks which pids sweep reads after a mark at pid 1000
// (fork count 5000, 200 live threads): those handed out since, also when
// the counter wrapped past pid_max, and every pid when it may have gone
// right round or /proc gave nonsense.
func TestPidRange(t *testing.T) {
	t.Parallel()
	m := pidMark{first: 1000, forks: 5000, threads: 200}
	tests := []struct {
		name      string
		mark      pidMark
		last, max int
		forks     uint64
		want      pidRange
		in, notIn []int
	}{
		{name: "no wrap", mark: m, last: 1200, max: 32768, forks: 5150,
			want: pidRange{from: 1000, to: 1200}, in: []int{1000, 1100, 1200}, notIn: []int{1, 999, 1201, 32767}},
		{name: "wrapped past pid_max", mark: pidMark{first: 32700, forks: 5000, threads: 200}, last: 400, max: 32768, forks: 5300,
			want: pidRange{from: 32700, to: 400, wrapped: true}, in: []int{32700, 32767, 300, 400}, notIn: []int{401, 1000, 32699}},
		{name: "may have gone right round", mark: m, last: 1200, max: 32768, forks: 5000 + 16300, want: pidRange{all: true}, in: []int{1, 999, 1201}},
		{name: "many threads at the mark", mark: pidMark{first: 1000, forks: 5000, threads: 32500}, last: 1200, max: 32768, forks: 5001,
			want: pidRange{all: true}},
		{name: "no mark", mark: pidMark{}, last: 1200, max: 32768, forks: 5150, want: pidRange{all: true}},
		{name: "fork count went back", mark: m, last: 1200, max: 32768, forks: 4000, want: pidRange{all: true}},
		{name: "first beyond pid_max", mark: m, last: 900, max: 1000, forks: 5001, want: pidRange{all: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.mark.rangeAt(tt.last, tt.max, tt.forks)
			if got != tt.want {
				t.Fatalf("rangeAt(%d, %d, %d) = %+v, want %+v", tt.last, tt.max, tt.forks, got, tt.want)
			}
			for _, pid := range tt.in {
				if !got.has(pid) {
					t.Errorf("%+v lacks pid %d", got, pid)
				}
			}
			for _, pid := range tt.notIn {
				if got.has(pid) {
					t.Errorf("%+v has pid %d", got, pid)
				}
			}
		})
	}
}

// TestMarkPidsReadsProc checks that on Linux the mark of a new process
// reads /proc, and that the range sweep then reads holds that process and
// one started after it, but not this older one.
func TestMarkPidsReadsProc(t *testing.T) {
	t.Parallel()
	first := exec.Command("sleep", "5")
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = first.Process.Kill(); _ = first.Wait() }()
	m := markPids(first.Process.Pid)
	if m.first != first.Process.Pid || m.forks == 0 || m.threads == 0 {
		t.Fatalf("markPids(%d) = %+v, want the pid and non-zero fork and thread counts", first.Process.Pid, m)
	}
	second := exec.Command("sleep", "5")
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = second.Process.Kill(); _ = second.Wait() }()
	r := m.rangeNow(make([]byte, 64))
	if r.all {
		t.Fatalf("the range after mark %+v is every pid: /proc/sys/kernel/ns_last_pid, pid_max or /proc/stat could not be read, so every sweep reads every process", m)
	}
	for _, pid := range []int{first.Process.Pid, second.Process.Pid} {
		if !r.has(pid) {
			t.Errorf("range %+v lacks pid %d, started at or after the mark", r, pid)
		}
	}
	if r.has(os.Getpid()) {
		t.Errorf("range %+v has pid %d, the test binary, which started before the mark", r, os.Getpid())
	}
}
