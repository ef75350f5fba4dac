package terraform_test

import (
	"os"
	"testing"

	"codeberg.org/anvil-ci/anvil/actions/internal/actiontest"
)

func TestMain(m *testing.M) { os.Exit(actiontest.Main(m)) }
