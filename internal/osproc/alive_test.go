package osproc

import (
	"context"
	"errors"
	"os/exec"
	"runtime"
	"testing"
	"time"
)

// A child that runs is alive; once it has exited and is not reaped yet,
// it is a zombie (on Linux) and not alive.
func TestAliveAndZombie(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if !Alive(cmd.Process, pid) || IsZombie(pid) {
		t.Fatalf("a running child: Alive %t, IsZombie %t", Alive(cmd.Process, pid), IsZombie(pid))
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for Alive(cmd.Process, pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if runtime.GOOS == "linux" && (!IsZombie(pid) || Alive(cmd.Process, pid)) {
		t.Errorf("a killed, unreaped child: IsZombie %t, Alive %t; want a zombie, not alive", IsZombie(pid), Alive(cmd.Process, pid))
	}
	_ = cmd.Wait()
	if Alive(cmd.Process, pid) {
		t.Errorf("a reaped child is alive")
	}
}

// WaitExit returns nil once the process has exited, ErrStillRunning when
// it outlives the wait, and the context's error when that ends first.
func TestWaitExit(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	pid := cmd.Process.Pid
	if err := WaitExit(t.Context(), cmd.Process, pid, 150*time.Millisecond); !errors.Is(err, ErrStillRunning) {
		t.Errorf("WaitExit of a running child = %v, want ErrStillRunning", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := WaitExit(ctx, cmd.Process, pid, time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitExit with a cancelled context = %v, want context.Canceled", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := WaitExit(t.Context(), cmd.Process, pid, time.Minute); err != nil {
		t.Errorf("WaitExit of a killed child = %v, want nil", err)
	}
}
