package actiontest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
)

// DefaultTimeout bounds one anvil exec run.
const DefaultTimeout = 3 * time.Minute

// Config describes one anvil exec run.
type Config struct {
	// Repo is the repository (-C), from NewRepo.
	Repo string
	// Args are more arguments after "exec --json -C REPO --workdir DIR":
	// the event, -s, --var, -j, --grace, ...
	Args []string
	// Env is added to anvil's environment, which otherwise holds only
	// PATH, HOME, USER, LANG and TMPDIR of the test's (no TF_*, no
	// credentials).
	Env []string
	// OnEvent, when set, sees every event as it arrives (from another
	// goroutine), e.g. to interrupt the run at a given log line.
	OnEvent func(executor.Event)
	// Timeout bounds the run; default DefaultTimeout. When it runs out,
	// anvil is interrupted, then killed.
	Timeout time.Duration
}

// Process is a running anvil exec.
type Process struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan struct{}
	events []executor.Event
	stdout bytes.Buffer
	mu     sync.Mutex
	cancel context.CancelFunc
}

// Start starts anvil exec as e says.
func Start(t testing.TB, e Config) *Process {
	t.Helper()
	bin := Anvil(t)
	if e.Timeout == 0 {
		e.Timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.Timeout)
	args := append([]string{"exec", "--json", "-C", e.Repo, "--workdir", t.TempDir()}, e.Args...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(baseEnv(), e.Env...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = 30 * time.Second
	p := &Process{cmd: cmd, done: make(chan struct{}), cancel: cancel}
	cmd.Stderr = &p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting anvil exec: %v", err)
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 64<<20)
		for sc.Scan() {
			line := sc.Bytes()
			var ev executor.Event
			p.mu.Lock()
			p.stdout.Write(line)
			p.stdout.WriteByte('\n')
			p.mu.Unlock()
			if json.Unmarshal(line, &ev) != nil {
				continue
			}
			p.mu.Lock()
			p.events = append(p.events, ev)
			p.mu.Unlock()
			if e.OnEvent != nil {
				e.OnEvent(ev)
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-p.done
		_ = cmd.Wait()
	})
	return p
}

// Interrupt sends anvil SIGINT, as a first Ctrl-C does.
func (p *Process) Interrupt() error { return p.cmd.Process.Signal(syscall.SIGINT) }

// Wait waits for anvil to exit and returns the run.
func (p *Process) Wait() *Result {
	<-p.done
	err := p.cmd.Wait()
	p.cancel()
	code := p.cmd.ProcessState.ExitCode()
	p.mu.Lock()
	defer p.mu.Unlock()
	r := &Result{ExitCode: code, Events: p.events, Stdout: p.stdout.String(), Stderr: p.stderr.String()}
	if err != nil && code < 0 {
		r.Stderr += fmt.Sprintf("\nactiontest: waiting for anvil: %v", err)
	}
	return r
}

// Run runs anvil exec as e says and returns the finished run.
func Run(t testing.TB, e Config) *Result {
	t.Helper()
	return Start(t, e).Wait()
}

// baseEnv is the part of the test's environment anvil gets.
func baseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "USER", "LANG", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}
