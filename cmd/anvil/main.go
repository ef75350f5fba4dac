// Command anvil runs Forgejo/GitHub Actions workflows; see package cmd.
package main

import (
	"context"
	"os"

	"codeberg.org/anvil-ci/anvil/cmd"
)

func main() {
	os.Exit(cmd.Main(context.Background(), cmd.OSProcess(), os.Args[1:]))
}
