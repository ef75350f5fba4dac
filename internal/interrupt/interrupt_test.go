package interrupt

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

func TestCancel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		interrupts int
		wantCancel bool
		wantExit   int
	}{
		{name: "no interrupt", interrupts: 0},
		{name: "first interrupt cancels", interrupts: 1, wantCancel: true},
		{name: "second interrupt exits", interrupts: 2, wantCancel: true, wantExit: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sig := make(chan os.Signal, 2)
			var mu sync.Mutex
			exits := 0
			exited := make(chan struct{})
			ctx, stop := Cancel(t.Context(), sig, &testkit.LockedBuffer{}, func() {
				mu.Lock()
				exits++
				mu.Unlock()
				close(exited)
			})
			for range tt.interrupts {
				sig <- os.Interrupt
			}
			if tt.wantCancel {
				select {
				case <-ctx.Done():
				case <-time.After(10 * time.Second):
					t.Fatal("the first interrupt did not cancel the context")
				}
				if cause := context.Cause(ctx); !errors.Is(cause, ErrInterrupted) {
					t.Errorf("cancellation cause = %v, want %v", cause, ErrInterrupted)
				}
			} else if ctx.Err() != nil {
				t.Errorf("context cancelled without an interrupt: %v", ctx.Err())
			}
			if tt.wantExit > 0 {
				select {
				case <-exited:
				case <-time.After(10 * time.Second):
					t.Fatal("the second interrupt did not exit")
				}
			}
			stop()
			mu.Lock()
			defer mu.Unlock()
			if exits != tt.wantExit {
				t.Errorf("exit calls = %d, want %d", exits, tt.wantExit)
			}
		})
	}
}
