package testkit_test

import (
	"slices"
	"testing"

	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

func TestRecord(t *testing.T) {
	t.Parallel()
	reached := false
	r := testkit.Record(t, func(tb testing.TB) {
		tb.Cleanup(func() { tb.Errorf("cleanup %d", 1) })
		tb.Errorf("first %s", "error")
		tb.Fatal("fatal")
		reached = true
	})
	if reached {
		t.Error("fn went on after Fatal")
	}
	if want := []string{"first error", "fatal", "cleanup 1"}; !slices.Equal(r.Errors(), want) || !r.Fataled() || !r.Failed() {
		t.Errorf("Record = %q (fatal %t), want %q and fatal", r.Errors(), r.Fataled(), want)
	}
	if clean := testkit.Record(t, func(tb testing.TB) {}); clean.Failed() {
		t.Errorf("a passing fn failed: %q", clean.Errors())
	}
}
