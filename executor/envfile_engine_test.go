package executor_test

import (
	"strings"
	"sync"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor"
)

// TestEnvInjectionRefused is issue 11's item 6: NODE_OPTIONS, LD_PRELOAD and
// BASH_ENV written to GITHUB_ENV (or with ::set-env::) must not reach later
// steps, each refusal says which variable it was, and ordinary variables
// (LD_LIBRARY_PATH among them, which setup actions export) still pass.
func TestEnvInjectionRefused(t *testing.T) {
	t.Parallel()
	plan := planFor(t, `
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    env:
      ACTIONS_ALLOW_UNSECURE_COMMANDS: "true"
    steps:
      - run: |
          echo "NODE_OPTIONS=--require /tmp/evil.js" >> "$GITHUB_ENV"
          echo "LD_PRELOAD=/tmp/evil.so" >> "$GITHUB_ENV"
          printf 'BASH_ENV<<EOF\n/tmp/evil.sh\nEOF\n' >> "$GITHUB_ENV"
          echo "LD_LIBRARY_PATH=/opt/lib" >> "$GITHUB_ENV"
          echo "FINE=yes" >> "$GITHUB_ENV"
          echo "::set-env name=LD_AUDIT::/tmp/evil.so"
      - run: |
          echo "node=${NODE_OPTIONS-unset} preload=${LD_PRELOAD-unset} audit=${LD_AUDIT-unset} bashenv=${BASH_ENV-unset}"
          echo "lib=${LD_LIBRARY_PATH-unset} fine=${FINE-unset}"
`)
	var (
		mu    sync.Mutex
		lines []string
	)
	sink := executor.SinkFunc(func(e executor.Event) {
		if e.Kind == executor.EventLog {
			mu.Lock()
			defer mu.Unlock()
			lines = append(lines, e.Level+"|"+e.Line)
		}
	})
	res, err := hostEngine(t, sink, executor.Config{}).Run(t.Context(), plan)
	if err != nil {
		t.Fatal(err)
	}
	log := strings.Join(lines, "\n")
	if res.Result != executor.ResultSuccess {
		t.Errorf("Run result = %s, want success: a refused variable is not a failure, as on GitHub\n%s", res.Result, log)
	}
	for _, want := range []string{
		"|node=unset preload=unset audit=unset bashenv=unset",
		"|lib=/opt/lib fine=yes",
		"error|Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.",
		"warning|LD_PRELOAD was not set for the following steps",
		"warning|BASH_ENV was not set for the following steps",
		"warning|LD_AUDIT was not set for the following steps: anvil does not let ::set-env::",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log has no line %q:\n%s", want, log)
		}
	}
}
