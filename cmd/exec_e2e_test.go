package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/executor"
)

// TestExecEndToEnd runs anvil exec through Main, with the real pipeline,
// engine and host backend, on the repositories in testdata/exec.
func TestExecEndToEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		fixture    string
		args       []string
		wantCode   int
		wantStdout []string
		notStdout  []string
		wantStderr []string
	}{
		{
			name:     "success with secrets and vars",
			fixture:  "exec/hello",
			args:     []string{"exec", "-s", "TOKEN=s3cr3t-value", "--var", "WHO=world"},
			wantCode: ExitOK,
			wantStdout: []string{
				"[hello/greet] ▶ job: Greet",
				"[hello/greet] ▶ step 1: Say hello",
				"[hello/greet]   | hello world from main",
				"[hello/greet]   | token=***",
				"[hello/greet] ✓ job success",
				"[hello] ✓ workflow success",
			},
			notStdout:  []string{"s3cr3t-value"},
			wantStderr: []string{"note: no -P given: every job runs directly on this host"},
		},
		{
			name:       "a failing job exits 1",
			fixture:    "exec/failing",
			args:       []string{"exec", "push"},
			wantCode:   ExitFailed,
			wantStdout: []string{"[fail/boom]   | about to fail", "[fail/boom] ✗ step 1 failure", "[fail/boom] ✗ job failure"},
		},
		{
			name:       "a workflow with problems fails its jobs with file:line:col",
			fixture:    "exec/broken",
			args:       []string{"exec"},
			wantCode:   ExitFailed,
			wantStdout: []string{"[broken/bad]   | error: .forgejo/workflows/broken.yml:7:", "[broken/bad]   | error: .forgejo/workflows/broken.yml:10:", "[broken/bad] ✗ job failure"},
		},
		{
			name:     "a job whose runs-on -P does not map is skipped with a hint, as in act",
			fixture:  "exec/hello",
			args:     []string{"exec", "-P", "self-hosted=host"},
			wantCode: ExitOK,
			wantStdout: []string{
				`[hello/greet]   | warning: no runs-on label of the job is mapped, so it is skipped: runs-on "ubuntu-latest" (mapped: self-hosted); add -P ubuntu-latest=host to run it on this host, or -P ubuntu-latest=docker://IMAGE to run it in a container`,
				"[hello/greet] ⊘ job skipped",
			},
			notStdout: []string{"hello  from", "job failure"},
		},
		{
			name:       "-a sets the actor",
			fixture:    "exec/hello",
			args:       []string{"exec", "-a", "octocat"},
			wantCode:   ExitOK,
			wantStdout: []string{"[hello/greet]   | actor=octocat triggering=octocat"},
		},
		{
			name:       "act's -P LABEL=-self-hosted runs on this host",
			fixture:    "exec/hello",
			args:       []string{"exec", "--actor", "me", "-P", "ubuntu-latest=-self-hosted"},
			wantCode:   ExitOK,
			wantStdout: []string{"[hello/greet]   | actor=me triggering=me", "[hello/greet] ✓ job success"},
		},
		{
			name:       "an event no workflow listens to runs nothing",
			fixture:    "exec/failing",
			args:       []string{"exec", "schedule"},
			wantCode:   ExitOK,
			wantStderr: []string{"nothing to run: no workflow is triggered by schedule", "fail.yml: not triggered by schedule"},
		},
		{
			name:       "unknown job",
			fixture:    "exec/hello",
			args:       []string{"exec", "-j", "nope"},
			wantCode:   ExitUsage,
			wantStderr: []string{`selecting job "nope"`},
		},
		{
			name:     "too many arguments",
			fixture:  "exec/hello",
			args:     []string{"exec", "push", "extra"},
			wantCode: ExitUsage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo := copyFixture(t, tt.fixture)
			proc, stdout, stderr := testProcess(map[string]string{"PATH": os.Getenv("PATH")})
			args := append(tt.args, "-C", repo, "--workdir", t.TempDir())
			code := Main(t.Context(), proc, args)
			if code != tt.wantCode {
				t.Errorf("anvil %q exited %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("anvil %q stdout lacks %q:\n%s", tt.args, w, stdout)
				}
			}
			for _, w := range tt.notStdout {
				if strings.Contains(stdout.String(), w) {
					t.Errorf("anvil %q stdout shows %q:\n%s", tt.args, w, stdout)
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("anvil %q stderr lacks %q:\n%s", tt.args, w, stderr)
				}
			}
		})
	}
}

func TestExecList(t *testing.T) {
	t.Parallel()
	repo := copyFixture(t, "exec/hello")
	proc, stdout, stderr := testProcess(nil)
	if code := Main(t.Context(), proc, []string{"exec", "-C", repo, "-l"}); code != ExitOK {
		t.Fatalf("anvil exec -l exited %d; stderr:\n%s", code, stderr)
	}
	checkGolden(t, "exec/list.golden", stdout.Bytes())
}

func TestExecJSON(t *testing.T) {
	t.Parallel()
	repo := copyFixture(t, "exec/hello")
	proc, stdout, stderr := testProcess(map[string]string{"PATH": os.Getenv("PATH")})
	if code := Main(t.Context(), proc, []string{"exec", "-C", repo, "--json", "--var", "WHO=json"}); code != ExitOK {
		t.Fatalf("anvil exec --json exited %d; stderr:\n%s", code, stderr)
	}
	var events []executor.Event
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		var e executor.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("stdout line %q is not a JSON event: %v", sc.Text(), err)
		}
		events = append(events, e)
	}
	if len(events) < 4 {
		t.Fatalf("anvil exec --json printed %d events, want at least 4", len(events))
	}
	if first, last := events[0], events[len(events)-1]; first.Kind != executor.EventWorkflowStart || last.Kind != executor.EventWorkflowEnd || last.Result != executor.ResultSuccess {
		t.Errorf("events run from %s to %s (%s), want workflow_start to a successful workflow_end", first.Kind, last.Kind, last.Result)
	}
}

// TestExecInterrupt cancels a run with a first Ctrl-C: the sleeping step
// stops, the cancelled() step runs and anvil exits 1.
func TestExecInterrupt(t *testing.T) {
	t.Parallel()
	repo := copyFixture(t, "exec/cancel")
	interrupts := make(chan os.Signal, 2)
	out := &watchWriter{want: "sleeping now", seen: make(chan struct{})}
	proc, _, stderr := testProcess(map[string]string{"PATH": os.Getenv("PATH")})
	proc.Stdout, proc.Interrupts = out, interrupts
	go func() {
		select {
		case <-out.seen:
			interrupts <- os.Interrupt
		case <-time.After(30 * time.Second):
		}
	}()
	start := time.Now()
	code := Main(t.Context(), proc, []string{"exec", "-C", repo, "--grace", "1s", "--workdir", t.TempDir()})
	if code != ExitFailed {
		t.Errorf("interrupted anvil exec exited %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitFailed, out.String(), stderr)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("interrupted anvil exec took %s; the sleep was not cancelled", d)
	}
	if !strings.Contains(out.String(), "cleanup ran") {
		t.Errorf("the cancelled() step did not run:\n%s", out.String())
	}
	if !strings.Contains(stderr.String(), "press Ctrl-C again to stop everything now") {
		t.Errorf("stderr does not explain the interrupt:\n%s", stderr)
	}
}

// watchWriter is a concurrency-safe buffer that closes seen once want was
// written.
type watchWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
