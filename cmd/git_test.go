package cmd

import (
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

func TestCommitAllIgnoresUserConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "f.txt", "f")
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := commitAll(t.Context(), dir, "msg", when); err != nil {
		t.Fatalf("commitAll() error = %v", err)
	}
	if got := testkit.Git(t, dir, "log", "--format=%an <%ae> %aI %s %D"); got != "Anvil Demo <demo@anvil.invalid> 2024-05-06T07:08:09+00:00 msg HEAD -> main" {
		t.Errorf("commitAll() made commit %q", got)
	}
}
