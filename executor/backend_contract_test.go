package executor_test

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/executortest"
	"codeberg.org/anvil-ci/anvil/executor/internal/enginetest"
)

// TestEngineKeepsTheBackendContract runs plans on executortest's fake
// backend, which fails the test when the engine breaks the lifecycle
// (Prepare once per job, one Exec at a time, nothing after Close, every
// environment closed), and checks each job's calls: Prepare, its steps'
// Execs, then Close, whether the job succeeds, fails, is cancelled or
// cannot be prepared.
func TestEngineKeepsTheBackendContract(t *testing.T) {
	t.Parallel()
	const workflow = `
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo one
      - run: echo two
      - if: always()
        run: echo cleanup
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo three
`
	refused := errors.New("no room for the job")
	tests := []struct {
		name    string
		cfg     func(cancel context.CancelFunc) executortest.Config
		want    executor.Result
		prepare int // Prepare calls
		execs   int // Exec calls
	}{
		{name: "success", cfg: func(context.CancelFunc) executortest.Config { return executortest.Config{} },
			want: executor.ResultSuccess, prepare: 2, execs: 4},
		{name: "a failing step", cfg: func(context.CancelFunc) executortest.Config {
			return executortest.Config{Exec: func(context.Context, executor.Environment, executor.Command, io.Writer) (int, error) {
				return 1, nil
			}}
		}, want: executor.ResultFailure, prepare: 1, execs: 2}, // the first step and the always() one
		{name: "cancelled in a step", cfg: func(cancel context.CancelFunc) executortest.Config {
			// The step's process ends at once, as one killed by the
			// interrupt that the cancellation sends.
			return executortest.Config{Exec: func(context.Context, executor.Environment, executor.Command, io.Writer) (int, error) {
				cancel()
				return -1, context.Canceled
			}}
		}, want: executor.ResultCancelled, prepare: 1},
		{name: "prepare fails", cfg: func(context.CancelFunc) executortest.Config {
			return executortest.Config{Prepare: func(context.Context, executor.JobSpec) error { return refused }}
		}, want: executor.ResultFailure, prepare: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			fake := executortest.New(t, tt.cfg(cancel))
			eng := executor.New(executor.Config{
				Loader: enginetest.Loader(),
				Backends: func([]string) (executor.Backend, executor.JobSpecHints, error) {
					return fake, executor.JobSpecHints{}, nil
				},
				Sink: executor.SinkFunc(func(executor.Event) {}), WorkDir: t.TempDir(), BaseEnv: executor.HostEnv(os.Environ()),
			})
			res, err := eng.Run(ctx, planFor(t, workflow))
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Result != tt.want {
				t.Errorf("Run result = %s, want %s", res.Result, tt.want)
			}
			calls := fake.Calls()
			if got := fake.Count(executortest.OpPrepare); got != tt.prepare {
				t.Errorf("Prepare calls = %d, want %d: %v", got, tt.prepare, calls)
			}
			if got := fake.Count(executortest.OpExec); tt.execs > 0 && got != tt.execs {
				t.Errorf("Exec calls = %d, want %d: %v", got, tt.execs, calls)
			}
			// Each prepared job's calls: Prepare first, Close last and once.
			prepared := map[string]bool{}
			for i, c := range calls {
				switch c.Op {
				case executortest.OpPrepare:
					prepared[c.Job] = true
				case executortest.OpExec, executortest.OpClose:
					if !prepared[c.Job] {
						t.Errorf("call %d (%v) comes before the job's Prepare", i, c)
					}
				}
			}
			closes := map[string]int{}
			for _, c := range calls {
				if c.Op == executortest.OpClose {
					closes[c.Job]++
				}
			}
			for job, n := range closes {
				if n != 1 {
					t.Errorf("job %s closed %d times, want once: %v", job, n, calls)
				}
			}
			if tt.name == "prepare fails" && len(closes) > 0 {
				t.Errorf("a job whose Prepare failed was closed: %v", calls)
			}
			if tt.name == "prepare fails" && (len(res.Jobs) == 0 || !strings.Contains(res.Jobs[0].Error, refused.Error())) {
				t.Errorf("the job failing to prepare does not say why: %+v", res.Jobs)
			}
		})
	}
}
