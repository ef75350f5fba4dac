package executortest_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/executortest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// prepare prepares job on b, failing t (the real test) on error.
func prepare(t *testing.T, tb testing.TB, b *executortest.Backend, job string) executor.Environment {
	t.Helper()
	env, err := b.Prepare(tb.Context(), executor.JobSpec{JobID: job, Root: t.TempDir()})
	if err != nil {
		t.Fatalf("Prepare(%s) = %v", job, err)
	}
	return env
}

func run(tb testing.TB, env executor.Environment, args ...string) {
	_, _ = env.Exec(tb.Context(), executor.Command{Args: args}, io.Discard)
}

// duringExec prepares job j on a fake whose first Exec blocks, calls
// during while it blocks, then lets it return and waits for it.
func duringExec(t *testing.T, tb testing.TB, during func(executor.Environment)) executor.Environment {
	t.Helper()
	entered, release := make(chan struct{}), make(chan struct{})
	var started atomic.Bool
	b := executortest.New(tb, executortest.Config{Exec: func(context.Context, executor.Environment, executor.Command, io.Writer) (int, error) {
		if !started.Swap(true) {
			close(entered)
			<-release
		}
		return 0, nil
	}})
	env := prepare(t, tb, b, "j")
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(tb, env, "first")
	}()
	<-entered
	during(env)
	close(release)
	<-done
	return env
}

// TestMisuseFailsTheTest breaks each rule of the contract once and
// expects the fake to fail the test with a message naming the rule; the
// lawful uses beside them must pass.
func TestMisuseFailsTheTest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		use  func(t *testing.T, tb testing.TB)
		want string // in the one failure; "" for a lawful use
	}{
		{"lifecycle", func(t *testing.T, tb testing.TB) {
			b := executortest.New(tb, executortest.Config{})
			env := prepare(t, tb, b, "j")
			run(tb, env, "true")
			run(tb, env, "true")
			_ = env.Close(tb.Context())
		}, ""},
		{"close twice is idempotent", func(t *testing.T, tb testing.TB) {
			b := executortest.New(tb, executortest.Config{})
			env := prepare(t, tb, b, "j")
			if err := env.Close(tb.Context()); err != nil {
				t.Errorf("first Close = %v", err)
			}
			if err := env.Close(tb.Context()); err != nil {
				t.Errorf("second Close = %v, want nil", err)
			}
		}, ""},
		{"exec after close", func(t *testing.T, tb testing.TB) {
			b := executortest.New(tb, executortest.Config{})
			env := prepare(t, tb, b, "j")
			_ = env.Close(tb.Context())
			if _, err := env.Exec(tb.Context(), executor.Command{Args: []string{"late"}}, io.Discard); !errors.Is(err, executortest.ErrClosed) {
				t.Errorf("Exec after Close = %v, want ErrClosed", err)
			}
		}, `Exec ["late"] of job "j" after Close`},
		{"prepare twice", func(t *testing.T, tb testing.TB) {
			b := executortest.New(tb, executortest.Config{})
			for range 2 {
				_ = prepare(t, tb, b, "j").Close(tb.Context())
			}
		}, `Prepare of job "j", which was prepared before`},
		{"never closed", func(t *testing.T, tb testing.TB) {
			b := executortest.New(tb, executortest.Config{})
			run(tb, prepare(t, tb, b, "j"), "true")
		}, `the environment of job "j" was never closed`},
		{"concurrent exec", func(t *testing.T, tb testing.TB) {
			env := duringExec(t, tb, func(env executor.Environment) { run(tb, env, "second") })
			_ = env.Close(tb.Context())
		}, `Exec ["second"] of job "j" while another Exec of the job runs`},
		{"close while exec runs", func(t *testing.T, tb testing.TB) {
			duringExec(t, tb, func(env executor.Environment) { _ = env.Close(tb.Context()) })
		}, `Close of job "j" while 1 Exec of the job runs`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := testkit.Record(t, func(tb testing.TB) { tt.use(t, tb) })
			errs := r.Errors()
			switch {
			case tt.want == "" && len(errs) > 0:
				t.Errorf("a lawful use failed the test: %q", errs)
			case tt.want != "" && (len(errs) != 1 || !strings.Contains(errs[0], tt.want) || !strings.HasPrefix(errs[0], "executortest: ")):
				t.Errorf("misuse reported %q, want one failure with %q", errs, tt.want)
			}
		})
	}
}

// TestRecordsAndDelegates: the calls are recorded in order, a Prepare
// fault fails Prepare without an environment to close, and Inner does the
// work.
func TestRecordsAndDelegates(t *testing.T) {
	t.Parallel()
	refused := errors.New("no capacity")
	inner := executortest.New(t, executortest.Config{Exec: func(_ context.Context, _ executor.Environment, cmd executor.Command, out io.Writer) (int, error) {
		_, _ = io.WriteString(out, strings.Join(cmd.Args, " "))
		return 3, nil
	}})
	b := executortest.New(t, executortest.Config{Inner: inner, HostAddress: "172.18.0.1",
		Prepare: func(_ context.Context, spec executor.JobSpec) error {
			if spec.JobID == "refused" {
				return refused
			}
			return nil
		}})
	if _, err := b.Prepare(t.Context(), executor.JobSpec{JobID: "refused"}); !errors.Is(err, refused) {
		t.Errorf("Prepare(refused) = %v, want the fault", err)
	}
	env, err := b.Prepare(t.Context(), executor.JobSpec{JobID: "j"})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if code, err := env.Exec(t.Context(), executor.Command{Args: []string{"echo", "hi"}}, &out); code != 3 || err != nil || out.String() != "echo hi" {
		t.Errorf("Exec = %d, %v, %q; want Inner's 3, nil, %q", code, err, out.String(), "echo hi")
	}
	if addr := env.(executor.HostAddresser).HostAddress(); addr != "172.18.0.1" {
		t.Errorf("HostAddress() = %q", addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := env.Close(ctx); err != nil {
		t.Fatal(err)
	}
	want := []executortest.Call{{Op: executortest.OpPrepare, Job: "refused"}, {Op: executortest.OpPrepare, Job: "j"},
		{Op: executortest.OpExec, Job: "j", Args: []string{"echo", "hi"}}, {Op: executortest.OpClose, Job: "j"}}
	if got := b.Calls(); !slices.EqualFunc(got, want, func(a, b executortest.Call) bool { return a.String() == b.String() }) {
		t.Errorf("Calls() = %v, want %v", got, want)
	}
	if inner.Count(executortest.OpClose) != 1 {
		t.Errorf("Inner got %d Close calls, want 1", inner.Count(executortest.OpClose))
	}
}
