package executor_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor"
)

// TestLocalActionsStayInTheWorkspace is issue 11's item 5 on the host: a
// uses: ./ path that leads out of the workspace, through .. or through a
// symbolic link in the repository (to the action's folder, its action.yml
// or its script), fails its step with an error naming the escape, and the
// code outside never runs. A working-directory outside is GitHub's
// behaviour: it runs, with a warning.
func TestLocalActionsStayInTheWorkspace(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	marker := filepath.Join(outside, "ran")
	action := "runs:\n  using: composite\n  steps:\n    - run: echo ran outside >> " + marker + "\n      shell: bash\n"
	if err := os.WriteFile(filepath.Join(outside, "action.yml"), []byte(action), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "index.js"), []byte("require('fs').writeFileSync('"+marker+"', 'x')\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	plan := planFor(t, `
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - id: setup
        run: |
          ws=$PWD
          mkdir -p inside yml-link node-link
          printf 'runs:\n  using: composite\n  steps:\n    - run: echo ran inside\n      shell: bash\n' > inside/action.yml
          ln -s `+outside+` dir-link
          ln -s `+outside+`/action.yml yml-link/action.yml
          printf 'runs:\n  using: node20\n  main: ../outside-main/index.js\n' > node-link/action.yml
          ln -s `+outside+` outside-main
          echo "depth=$(echo "$ws" | tr -cd / | wc -c)" >> "$GITHUB_OUTPUT"
      - id: inside
        uses: ./inside
      - id: dotdot
        continue-on-error: true
        uses: ./../../../../../../../../../../..`+outside+`
      - id: dir-link
        continue-on-error: true
        uses: ./dir-link
      - id: yml-link
        continue-on-error: true
        uses: ./yml-link
      - id: node-link
        continue-on-error: true
        uses: ./node-link
      - id: workdir
        working-directory: ../..
        run: echo "workdir ran"
`)
	var (
		mu     sync.Mutex
		lines  []string
		errors = map[string]string{}
	)
	names := map[int]string{1: "inside", 2: "dotdot", 3: "dir-link", 4: "yml-link", 5: "node-link", 6: "workdir"}
	sink := executor.SinkFunc(func(e executor.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch e.Kind {
		case executor.EventLog:
			lines = append(lines, e.Level+"|"+e.Line)
		case executor.EventStepEnd:
			errors[names[e.Step]] = string(e.Outcome) + ": " + e.Error
		}
	})
	res, err := hostEngine(t, sink, executor.Config{}).Run(t.Context(), plan)
	if err != nil {
		t.Fatal(err)
	}
	log := strings.Join(lines, "\n")
	if res.Result != executor.ResultSuccess {
		t.Errorf("Run result = %s, want success (the failing steps continue on error)\n%s", res.Result, log)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("code outside the workspace ran:\n%s", log)
	}
	wantErr := map[string][]string{
		"inside":    {"success"},
		"dotdot":    {"failure", "leads to " + outside + ", outside the workspace", "local actions must be in the repository"},
		"dir-link":  {"failure", "./dir-link is a symbolic link to " + outside + ", outside the workspace"},
		"yml-link":  {"failure", "./yml-link/action.yml is a symbolic link to " + filepath.Join(outside, "action.yml") + ", outside the workspace"},
		"node-link": {"failure", "../outside-main/index.js is a symbolic link to " + filepath.Join(outside, "index.js") + ", outside the workspace"},
		"workdir":   {"success"},
	}
	for step, wants := range wantErr {
		for _, w := range wants {
			if !strings.Contains(errors[step], w) {
				t.Errorf("step %s ended %q, want it to contain %q", step, errors[step], w)
			}
		}
	}
	for _, want := range []string{"|ran inside", "|workdir ran", "warning|working-directory: ../.. leads to"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log has no line %q:\n%s", want, log)
		}
	}
}
