package localrun

import (
	"context"
	"errors"

	"codeberg.org/anvil-ci/anvil/executor"
)

// fakeBackend stands for the host backend where only its identity matters;
// preparing a job with it fails loudly.
type fakeBackend struct{}

func (*fakeBackend) Prepare(context.Context, executor.JobSpec) (executor.Environment, error) {
	return nil, errors.New("fakeBackend cannot run jobs: the test should not run any")
}
