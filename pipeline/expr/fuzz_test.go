package expr

import (
	"testing"
)

// FuzzEvaluate feeds arbitrary text to every entry point: none may panic,
// whatever act's interpreter does with it.
func FuzzEvaluate(f *testing.F) {
	seeds := []string{
		"github.event.commits.*.message",
		"format('{0}}}', 1)",
		"format('}x')",
		"format(format('{0}', '}'))",
		"format('{-1}', 1)",
		"fromJSON('[1]')[0].x",
		"contains(fromJSON('[{}]'), fromJSON('{}'))",
		"join(fromJSON('[[1], {}]'))",
		"toJSON(fromJSON('[NaN]'))",
		"'a}}b' == forgejo.sha",
		"steps.*.outputs.*",
		"${{ success() }} && ${{",
		"!(((",
		"0x",
		"-",
		"9999999999999999999999999",
		"hashFiles(null)",
		"matrix.flags.x",
		"'fromJSON(''1'')' == 1",
		"",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	c := testContexts(f)
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = c.Evaluate(s)
		_, _ = c.Interpolate(s)
		_, _ = c.Interpolate("x ${{ " + s + " }} y")
		_, _ = c.InterpolateValue([]any{s, map[string]any{"k": "${{ " + s + " }}"}})
		_, _ = c.Condition(s, LevelStep)
		_, _ = c.Condition(s, LevelJob)
	})
}
