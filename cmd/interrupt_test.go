package cmd

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

func TestCancelOnInterrupt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		interrupts int
		wantCancel bool
		wantExit   []int
	}{
		{name: "no interrupt", interrupts: 0},
		{name: "first interrupt cancels", interrupts: 1, wantCancel: true},
		{name: "second interrupt exits", interrupts: 2, wantCancel: true, wantExit: []int{ExitInterrupted}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sig := make(chan os.Signal, 2)
			var mu sync.Mutex
			var exits []int
			exited := make(chan struct{})
			proc, _, _ := testProcess(nil)
			proc.Stderr = &testkit.LockedBuffer{}
			proc.Interrupts = sig
			proc.Exit = func(code int) {
				mu.Lock()
				exits = append(exits, code)
				mu.Unlock()
				close(exited)
			}
			ctx, stop := cancelOnInterrupt(t.Context(), proc)
			for range tt.interrupts {
				sig <- os.Interrupt
			}
			if tt.wantCancel {
				select {
				case <-ctx.Done():
				case <-time.After(10 * time.Second):
					t.Fatal("the first interrupt did not cancel the context")
				}
				if cause := context.Cause(ctx); !errors.Is(cause, errInterrupted) {
					t.Errorf("cancellation cause = %v, want %v", cause, errInterrupted)
				}
			} else if ctx.Err() != nil {
				t.Errorf("context cancelled without an interrupt: %v", ctx.Err())
			}
			if len(tt.wantExit) > 0 {
				select {
				case <-exited:
				case <-time.After(10 * time.Second):
					t.Fatal("the second interrupt did not exit")
				}
			}
			stop()
			mu.Lock()
			defer mu.Unlock()
			if len(exits) != len(tt.wantExit) || (len(exits) > 0 && exits[0] != tt.wantExit[0]) {
				t.Errorf("Exit calls = %v, want %v", exits, tt.wantExit)
			}
		})
	}
}
