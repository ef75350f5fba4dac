package terraform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DefaultGrace is how long Terraform gets to stop after the interrupt
// before it is killed: enough to finish in-flight operations, write the
// state and release the lock.
const DefaultGrace = 2 * time.Minute

// pipeDrain bounds how long Run reads Terraform's output after it exited.
const pipeDrain = 10 * time.Second

// ToolConfig is what a Tool needs.
type ToolConfig struct {
	// Binary is the terraform program: a path, or a name looked up in the
	// PATH of Env. Default "terraform".
	Binary string
	// Env is Terraform's whole environment (KEY=VALUE). CHECKPOINT_DISABLE,
	// TF_IN_AUTOMATION and TF_INPUT=0 are added when missing.
	Env []string
	// Stderr receives what Terraform writes to its stderr.
	Stderr io.Writer
	// Grace is how long Terraform gets between the forwarded interrupt and
	// the kill. Default DefaultGrace.
	Grace time.Duration
}

// Tool runs terraform commands. Each runs in its own process group, so
// that an interrupt reaches Terraform once, from Tool: Terraform treats a
// second interrupt as "exit now" and would then keep its lock.
type Tool struct {
	cfg ToolConfig

	mu      sync.Mutex
	running map[*exec.Cmd]struct{}
}

// NewTool returns a Tool for cfg.
func NewTool(cfg ToolConfig) *Tool {
	if cfg.Binary == "" {
		cfg.Binary = "terraform"
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	cfg.Env = withDefaults(cfg.Env, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0")
	return &Tool{cfg: cfg, running: map[*exec.Cmd]struct{}{}}
}

// Invocation is one terraform command.
type Invocation struct {
	// Dir is the working directory.
	Dir string
	// Args follow the program name, e.g. plan -json.
	Args []string
	// Env is added to the Tool's environment (KEY=VALUE).
	Env []string
	// Stdout receives Terraform's stdout.
	Stdout io.Writer
}

// Run runs inv to completion and returns Terraform's exit code. When ctx
// ends first, Terraform's process group gets one interrupt (SIGINT, as
// Ctrl-C sends), then a kill once the grace period is over; Run returns
// once it has exited, with the exit code it had and ctx's error wrapped.
func (t *Tool) Run(ctx context.Context, inv Invocation) (int, error) {
	if err := context.Cause(ctx); err != nil {
		return -1, fmt.Errorf("terraform %s not started: %w", verb(inv.Args), err)
	}
	path, err := findBinary(t.cfg.Binary, t.cfg.Env)
	if err != nil {
		return -1, err
	}
	cmd := exec.Command(path, inv.Args...)
	cmd.Dir = inv.Dir
	cmd.Env = append(append([]string{}, t.cfg.Env...), inv.Env...)
	cmd.Stdout = inv.Stdout
	cmd.Stderr = t.cfg.Stderr
	if cmd.Stdout == nil {
		cmd.Stdout = io.Discard
	}
	// A process Terraform started outside its group could keep the output
	// pipes open after Terraform exits; stop reading them after a while.
	cmd.WaitDelay = pipeDrain
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return -1, fmt.Errorf("starting %s: %w; install Terraform or set the terraform-binary input", t.cfg.Binary, err)
	}
	t.track(cmd, true)
	defer t.track(cmd, false)

	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		fmt.Fprintf(t.cfg.Stderr, "Interrupting terraform %s (%v); it gets %s to stop and release the state lock\n", verb(inv.Args), context.Cause(ctx), t.cfg.Grace)
		_ = interruptGroup(cmd.Process.Pid)
		timer := time.NewTimer(t.cfg.Grace)
		defer timer.Stop()
		select {
		case <-done:
		case <-timer.C:
			fmt.Fprintf(t.cfg.Stderr, "terraform %s did not stop within %s; killing it (the state lock may stay held: see terraform force-unlock)\n", verb(inv.Args), t.cfg.Grace)
			_ = killGroup(cmd.Process.Pid)
		}
	}()
	err = cmd.Wait()
	close(done)
	<-stopped
	code := cmd.ProcessState.ExitCode()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return code, fmt.Errorf("terraform %s stopped: %w", verb(inv.Args), context.Cause(ctx))
	case err != nil && !errors.As(err, &exitErr):
		return code, fmt.Errorf("waiting for terraform %s: %w", verb(inv.Args), err)
	}
	return code, nil
}

// Kill kills every running terraform at once, without waiting for it to
// release its lock: for a second interrupt.
func (t *Tool) Kill() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for cmd := range t.running {
		_ = killGroup(cmd.Process.Pid)
	}
}

// track adds or removes cmd from the running set.
func (t *Tool) track(cmd *exec.Cmd, on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if on {
		t.running[cmd] = struct{}{}
	} else {
		delete(t.running, cmd)
	}
}

// findBinary resolves name in the PATH of env rather than in anvil's
// own; a name with a slash is used as it is, made absolute.
func findBinary(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return filepath.Abs(name)
	}
	path, _ := lookup(env, "PATH")
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			continue
		}
		if p, err := exec.LookPath(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %q is not on the PATH; install Terraform on the runner or set the terraform-binary input to its path", ErrNoTerraform, name)
}

// ErrNoTerraform means the terraform program was not found.
var ErrNoTerraform = errors.New("terraform not found")

// verb is the terraform subcommand in args, for messages.
func verb(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// withDefaults appends each KEY=VALUE of defaults whose key env lacks.
func withDefaults(env []string, defaults ...string) []string {
	out := append([]string{}, env...)
	for _, d := range defaults {
		key, _, _ := strings.Cut(d, "=")
		if _, ok := lookup(env, key); !ok {
			out = append(out, d)
		}
	}
	return out
}

// lookup reports the value of key in env and whether it is set.
func lookup(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v, true
		}
	}
	return "", false
}
