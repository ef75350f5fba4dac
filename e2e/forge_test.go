// Package e2e runs anvil end to end: the real binary, registered with a
// forge and started as a daemon, runs the workflows of testdata/workflows
// as the forge hands them out, and the scenarios check every job's
// conclusion and log through the forge's own API.
//
// The scenarios (scenarios_test.go) name no forge: they run against any
// Forge. TestForges runs them, at the same time, against forge/forgetest
// (always: it needs only git) and a real Gitea 1.25.4 (forge/giteatest),
// which .ci/setup.d/40-gitea.sh builds; without that build the Gitea part
// skips, unless ANVIL_REQUIRE_GITEA=1 (or ANVIL_REQUIRE_DOCKER=1, or
// CI=true) makes it a failure. Then it checks that the two forges agree
// on every scenario: the same jobs, conclusions and logs (agree_test.go).
package e2e

import "context"

// privateRepo makes every forge's repository private: the runner must
// fetch a local reusable workflow with the job token.
const privateRepo = true

// Forge is a forge with one repository, seen as a user and a runner
// administrator see it. Each scenario's run is identified by its workflow
// file and event, so a suite triggers each pair once.
type Forge interface {
	// URL is what a runner registers with (anvil register --instance).
	URL() string
	// RegistrationToken returns a token that registers runners of the
	// repository.
	RegistrationToken(ctx context.Context) (string, error)
	// SetSecret and SetVariable set an actions secret or variable of the
	// repository.
	SetSecret(ctx context.Context, name, value string) error
	SetVariable(ctx context.Context, name, value string) error
	// Push commits files (repository path to content) on branch (new
	// branches start at main) and pushes it, triggering push workflows.
	// It returns the commit's SHA.
	Push(ctx context.Context, branch string, files map[string]string) (string, error)
	// Dispatch runs a workflow_dispatch workflow (a file name such as
	// dispatch.yml) on ref with inputs.
	Dispatch(ctx context.Context, workflow, ref string, inputs map[string]string) error
	// OpenPR opens a pull request of head into base and returns its
	// number.
	OpenPR(ctx context.Context, head, base string) (int64, error)
	// WaitRun waits until the run of workflow started by event and every
	// job of it have ended, and returns it. The error says what the run and its jobs were
	// doing when ctx ended.
	WaitRun(ctx context.Context, workflow, event string) (Run, error)
	// Jobs lists the jobs of run, in the forge's order.
	Jobs(ctx context.Context, run Run) ([]Job, error)
	// Log returns the log of job as the forge stores it.
	Log(ctx context.Context, job Job) (string, error)
}

// Run is a workflow run.
type Run struct {
	ID         int64
	Workflow   string // file name, e.g. needs.yml
	Event      string
	Conclusion string // success, failure, cancelled, skipped
}

// Job is a job of a run as the forge shows it: Name is the display name
// (a matrix job's interpolated name), Conclusion as GitHub names it.
type Job struct {
	ID         int64
	Name       string
	Conclusion string
	Status     string
}
