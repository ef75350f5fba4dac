package policy

import (
	"path/filepath"
	"slices"
	"testing"

	"codeberg.org/anvil-ci/anvil/pipeline"
)

// shippedDir holds the example policies anvil ships.
const shippedDir = "../../policies"

// TestShippedPolicyTests runs the tests block of every shipped policy.
func TestShippedPolicyTests(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(shippedDir, "*.yaml"))
	if err != nil || len(files) != 6 {
		t.Fatalf("shipped policies = %v (%v), want 6 files", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			p, err := Load(f)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if p.Tests() < 2 {
				t.Errorf("%s has %d tests; every shipped policy tests an allowed and a denied case", f, p.Tests())
			}
			for _, r := range p.RunTests() {
				for _, msg := range r.Failures {
					t.Errorf("%s:%d: test %q: %s", r.Test.File, r.Test.Line, r.Test.Name, msg)
				}
			}
		})
	}
}

// shippedCase is a workflow and the context it runs in, with the rules
// expected to deny and to warn on its one job.
type shippedCase struct {
	name     string
	workflow string
	task     Task
	deny     []string
	warn     []string
}

// checkShipped plans each case's workflow the way the engine would, and
// checks the decisions of the shipped policy file on its jobs.
func checkShipped(t *testing.T, file string, cases []shippedCase) {
	t.Helper()
	p, err := Load(filepath.Join(shippedDir, file))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			wf, err := pipeline.ParseWorkflow("ci.yml", []byte(tc.workflow))
			if err != nil {
				t.Fatalf("ParseWorkflow: %v", err)
			}
			ins := Offline(wf, nil, tc.task)
			if len(ins) == 0 {
				t.Fatal("Offline gave no job")
			}
			var deny, warn []string
			for _, in := range ins {
				for _, d := range p.Evaluate(in) {
					switch d.Outcome {
					case OutcomeDeny:
						deny = appendNew(deny, d.Rule)
					case OutcomeWarn:
						warn = appendNew(warn, d.Rule)
					}
					if d.Error != "" {
						t.Errorf("rule %s could not be evaluated: %s", d.Rule, d.Error)
					}
				}
			}
			if !slices.Equal(deny, tc.deny) || !slices.Equal(warn, tc.warn) {
				t.Errorf("denied by %v and warned by %v, want %v and %v", deny, warn, tc.deny, tc.warn)
			}
		})
	}
}

const pin = "0123456789abcdef0123456789abcdef01234567"

func TestShippedActions(t *testing.T) {
	t.Parallel()
	forge := Task{ServerURL: "https://forge.example", DefaultActionsURL: "https://code.forgejo.org", Repository: "acme/app", SHA: pin}
	checkShipped(t, "actions.yaml", []shippedCase{
		{name: "pinned allowed owner", task: forge, workflow: wf("steps:\n      - uses: actions/checkout@" + pin)},
		{name: "local action and workflow", task: forge, workflow: wf("steps:\n      - uses: ./actions/terraform-apply")},
		{name: "this forge by URL", task: forge, workflow: wf("steps:\n      - uses: https://forge.example/ops/deploy@" + pin)},
		{name: "tag", task: forge, workflow: wf("steps:\n      - uses: actions/checkout@v4"), deny: []string{"actions-pinned-sha"}},
		{name: "unknown owner", task: forge, workflow: wf("steps:\n      - uses: evil/steal@" + pin), deny: []string{"actions-allowed-owner"}},
		{name: "other forge by URL", task: forge, workflow: wf("steps:\n      - uses: https://other.example/ops/deploy@" + pin), deny: []string{"actions-allowed-owner"}},
		{name: "remote reusable workflow on a branch", task: forge,
			workflow: "on: push\njobs:\n  call:\n    uses: other/ci/.forgejo/workflows/b.yml@main\n",
			deny:     []string{"actions-allowed-owner", "actions-pinned-sha"}},
		{name: "docker actions are the images policy's", task: forge, workflow: wf("steps:\n      - uses: docker://alpine:3.20")},
	})
}

func TestShippedImages(t *testing.T) {
	t.Parallel()
	checkShipped(t, "images.yaml", []shippedCase{
		{name: "tagged container and service", workflow: wf("container: node:20\n    services:\n      db:\n        image: ghcr.io/acme/pg:16\n    steps:\n      - run: make")},
		{name: "matrix image", workflow: "on: push\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix:\n        v: ['18', '20']\n    container: node:${{ matrix.v }}\n    steps:\n      - run: make\n"},
		{name: "latest service", workflow: wf("services:\n      db:\n        image: redis:latest\n    steps:\n      - run: make"), deny: []string{"images-not-latest"}},
		{name: "untagged container", workflow: wf("container: ghcr.io/acme/builder\n    steps:\n      - run: make"), deny: []string{"images-not-latest"}},
		{name: "other registry in a docker action", workflow: wf("steps:\n      - uses: docker://quay.io/x/y:1.0"), deny: []string{"images-allowed-registry"}},
		{name: "digest pins", workflow: wf("container: node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n    steps:\n      - run: make")},
	})
}

func TestShippedContainers(t *testing.T) {
	t.Parallel()
	checkShipped(t, "containers.yaml", []shippedCase{
		{name: "plain", workflow: wf("container:\n      image: node:20\n      options: --cpus 2\n      volumes: ['cache:/c']\n    steps:\n      - run: make")},
		{name: "privileged service", workflow: wf("services:\n      dind:\n        image: docker:27-dind\n        options: --privileged\n    steps:\n      - run: make"), deny: []string{"containers-unprivileged"}},
		{name: "cap-add", workflow: wf("container:\n      image: node:20\n      options: --cap-add SYS_ADMIN\n    steps:\n      - run: make"), deny: []string{"containers-unprivileged"}},
		{name: "docker socket", workflow: wf("container:\n      image: node:20\n      volumes: ['/var/run/docker.sock:/var/run/docker.sock']\n    steps:\n      - run: make"), deny: []string{"containers-no-host-volumes"}},
		{name: "mount in options", workflow: wf("container:\n      image: node:20\n      options: --mount type=bind,src=/etc,dst=/e\n    steps:\n      - run: make"), deny: []string{"containers-no-host-volumes"}},
	})
}

func TestShippedDeploy(t *testing.T) {
	t.Parallel()
	main := Task{Event: "push", Ref: "refs/heads/main", RefProtected: true}
	apply := wf("steps:\n      - uses: ./actions/terraform-apply")
	checkShipped(t, "deploy.yaml", []shippedCase{
		{name: "push to a protected branch", task: main, workflow: apply},
		{name: "dispatch on a protected branch", task: Task{Event: "workflow_dispatch", Ref: "refs/heads/main", RefProtected: true}, workflow: apply},
		{name: "no deploy action", task: Task{Event: "pull_request"}, workflow: wf("steps:\n      - run: make")},
		{name: "pull request", task: Task{Event: "pull_request", Ref: "refs/pull/1/head", RefProtected: true}, workflow: apply, deny: []string{"deploy-protected-refs"}},
		{name: "unprotected branch", task: Task{Event: "push", Ref: "refs/heads/x"}, workflow: wf("steps:\n      - uses: acme/anvil/actions/argocd-sync@" + pin), deny: []string{"deploy-protected-refs"}},
		{name: "schedule", task: Task{Event: "schedule", Ref: "refs/heads/main", RefProtected: true}, workflow: wf("steps:\n      - run: anvil action gitops-promote"), deny: []string{"deploy-protected-refs"}},
	})
}

func TestShippedTimeout(t *testing.T) {
	t.Parallel()
	checkShipped(t, "timeout.yaml", []shippedCase{
		{name: "60", workflow: wf("timeout-minutes: 60\n    steps:\n      - run: make")},
		{name: "matrix value", workflow: "on: push\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix:\n        t: [10, 20]\n    timeout-minutes: ${{ matrix.t }}\n    steps:\n      - run: make\n"},
		{name: "unset", workflow: wf("steps:\n      - run: make"), deny: []string{"timeout-maximum"}},
		{name: "too long", workflow: wf("timeout-minutes: 61\n    steps:\n      - run: make"), deny: []string{"timeout-maximum"}},
		{name: "calling job", workflow: "on: push\njobs:\n  call:\n    uses: ./.forgejo/workflows/b.yml\n"},
	})
}

func TestShippedLabels(t *testing.T) {
	t.Parallel()
	checkShipped(t, "labels.yaml", []shippedCase{
		{name: "self-hosted", workflow: "on: push\njobs:\n  a:\n    runs-on: [self-hosted, linux]\n    steps:\n      - run: make\n"},
		{name: "missing", workflow: wf("steps:\n      - run: make"), warn: []string{"labels-required"}},
		{name: "matrix label", workflow: "on: push\njobs:\n  a:\n    strategy:\n      matrix:\n        l: [self-hosted]\n    runs-on: ${{ matrix.l }}\n    steps:\n      - run: make\n"},
	})
}

// wf is a push workflow with one job "a" on runs-on x; body is the rest
// of the job at four spaces.
func wf(body string) string {
	return "on: push\njobs:\n  a:\n    runs-on: x\n    " + body + "\n"
}
