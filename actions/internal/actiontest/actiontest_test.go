package actiontest_test

import (
	"os"
	"regexp"
	"testing"

	"codeberg.org/anvil-ci/anvil/actions/internal/actiontest"
	"codeberg.org/anvil-ci/anvil/executor"
)

func TestMain(m *testing.M) { os.Exit(actiontest.Main(m)) }

// TestRun runs a workflow that calls the built anvil from inside a job and
// a local composite action, the way the shipped actions do.
func TestRun(t *testing.T) {
	t.Parallel()
	repo := actiontest.NewRepo(t, actiontest.Repo{
		Workflows: map[string]string{"ci.yml": `on: push
jobs:
  check:
    runs-on: ubuntu-latest
    outputs:
      said: ${{ steps.say.outputs.said }}
    steps:
      - uses: actions/checkout@v4
      - id: say
        uses: ./actions/say
        with:
          word: ${{ vars.WORD }}
`},
		Files: map[string]string{"actions/say/action.yml": `name: say
inputs:
  word: {description: what to say}
outputs:
  said: {description: the word, value: "${{ steps.run.outputs.said }}"}
runs:
  using: composite
  steps:
    - id: run
      shell: sh
      run: |
        anvil version
        echo "said=$WORD" >> "$GITHUB_OUTPUT"
      env:
        WORD: ${{ inputs.word }}
`},
	})
	var seen []executor.EventKind
	r := actiontest.Run(t, actiontest.Config{Repo: repo, Args: []string{"--var", "WORD=hello"},
		OnEvent: func(e executor.Event) { seen = append(seen, e.Kind) }})
	if r.ExitCode != 0 {
		t.Fatalf("anvil exec failed:\n%s", r)
	}
	job, ok := r.Job("check")
	if !ok || job.Result != executor.ResultSuccess || job.Outputs["said"] != "hello" {
		t.Errorf("job check = %+v, want success with said=hello\n%s", job, r)
	}
	// The version is "(devel)" or, in a clean clone, a VCS pseudo-version.
	if log := r.Log("check"); !regexp.MustCompile(`(?m)^anvil \S+ .*go1\.`).MatchString(log) {
		t.Errorf("anvil version printed nothing in the job:\n%s", log)
	}
	if len(seen) != len(r.Events) {
		t.Errorf("OnEvent saw %d events, the result has %d", len(seen), len(r.Events))
	}
}
