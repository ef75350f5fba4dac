package e2e

// What the suite sets on the forge before anything runs.
const (
	deployKey = "e2e-Secret-4711-value" // secret DEPLOY_KEY: must never appear in a log
	deployEnv = "staging-e2e"           // variable DEPLOY_ENV
)

// The events a scenario's run can start from, and what the suite does
// for each: push pushes testdata/workflows to main, workflow_dispatch
// dispatches the workflow on main with the scenario's inputs, and
// pull_request opens a pull request of a branch feature into main.
const (
	onPush        = "push"
	onDispatch    = "workflow_dispatch"
	onPullRequest = "pull_request"
)

// scenario is one workflow run and what GitHub would make of it.
type scenario struct {
	name     string
	workflow string            // a file of testdata/workflows
	event    string            // onPush, onDispatch or onPullRequest
	inputs   map[string]string // onDispatch's inputs
	jobs     []wantJob         // every job of the run, in any order
}

// wantJob is a job as the forge must show it once the run has ended.
type wantJob struct {
	name       string   // the forge's display name of the job
	conclusion string   // success, failure, skipped
	log        []string // text its log contains; $SHA is main's commit, $PR the pull request's number
	notLog     []string // text its log must not contain
}

// scenarios are the conclusions GitHub gives these workflows. Two things
// are named as Gitea (and Forgejo) name them, which GitHub does not: a
// job that calls a reusable workflow is one job under the caller's name
// (GitHub shows "call / inner"), and its log holds the called jobs' logs.
//
// Every log line checked is printed by the step's own command
// (echo "x-$((1 + 1))" prints x-2), so it cannot come from a runner
// that only echoes the script.
var scenarios = []scenario{
	{
		name: "a single job", workflow: "hello.yml", event: onPush,
		jobs: []wantJob{
			{name: "hello", conclusion: "success", log: []string{"hello-42 at $SHA on refs/heads/main"}},
		},
	},
	{
		name: "needs outputs, if: and a failed dependency", workflow: "needs.yml", event: onPush,
		jobs: []wantJob{
			{name: "prep", conclusion: "success"},
			{name: "build", conclusion: "success"},
			{name: "gate-fail", conclusion: "failure"},
			{name: "after-always", conclusion: "success", log: []string{"always-2 x-built failure workflow"}},
			{name: "after-failure", conclusion: "success", log: []string{"failure-seen-2 failure"}},
			{name: "after-default", conclusion: "skipped"},
			{name: "not-on-success", conclusion: "skipped", notLog: []string{"NEVER-2"}},
			{name: "after-skipped", conclusion: "skipped"},
			{name: "deploy", conclusion: "success", log: []string{"deploy-2 x-built x"}},
		},
	},
	{
		name: "matrix include and exclude, scalars as strings", workflow: "matrix.yml", event: onPush,
		jobs: []wantJob{
			{name: "test ubuntu-latest go1.22", conclusion: "success", log: []string{"leg-2 go=1.22 experimental="}},
			{name: "test ubuntu-latest go1.24", conclusion: "success", log: []string{"leg-2 go=1.24 experimental=true"}},
		},
	},
	{
		name: "outputs and results of a matrix, merged by the forge", workflow: "fan.yml", event: onPush,
		jobs: []wantJob{
			{name: "leg a", conclusion: "failure"},
			{name: "leg b", conclusion: "success"},
			{name: "leg c", conclusion: "success"},
			{name: "summary", conclusion: "success", log: []string{"fan-2 result=failure b=from-b c=from-c"}},
			{name: "after", conclusion: "skipped"},
		},
	},
	{
		name: "local reusable workflow with secrets: inherit", workflow: "reusable.yml", event: onPush,
		jobs: []wantJob{
			{name: "call", conclusion: "success", log: []string{"inner-2 sees ***"}},
			{name: "after", conclusion: "success", log: []string{"called-said-2 hello world key-set=true"}},
		},
	},
	{
		name: "secrets masked, vars", workflow: "secrets-vars.yml", event: onPush,
		jobs: []wantJob{
			{name: "use", conclusion: "success", log: []string{
				"var-2=" + deployEnv + " wf=" + deployEnv,
				"secret-2=*** env=***",
				"token-set-2=true",
			}},
		},
	},
	{
		name: "dispatch inputs", workflow: "dispatch.yml", event: onDispatch,
		inputs: map[string]string{"target": "production", "dry": "false"},
		jobs: []wantJob{
			{name: "go", conclusion: "success",
				log:    []string{"inputs-2 target=production dry=false event=production note=no-note", "REAL-2"},
				notLog: []string{"DRY-2"}},
		},
	},
	{
		name: "pull_request", workflow: "pr.yml", event: onPullRequest,
		jobs: []wantJob{
			{name: "check", conclusion: "success", log: []string{"pr-2 number=$PR head=feature base=main event=pull_request"}},
		},
	},
}
