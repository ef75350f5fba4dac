package cmd

import (
	"os"
	"regexp"
	"testing"
)

// TestDocListsEveryCommand keeps doc.go's list of commands in step with
// anvil --help.
func TestDocListsEveryCommand(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	proc, _, _ := testProcess(nil)
	for _, c := range NewRoot(proc).Commands() {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if !regexp.MustCompile(`\b` + regexp.QuoteMeta(c.Name()) + `\b`).Match(doc) {
			t.Errorf("doc.go does not name the command %q that anvil --help lists", c.Name())
		}
	}
}
