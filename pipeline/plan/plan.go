package plan

// Position is a place in a workflow or action file, for messages that say
// where to look.
type Position struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// Plan is what the executor runs: the workflows triggered by one event, each
// with its jobs in needs order. It holds plain data only; string fields may
// contain ${{ }} expressions that are evaluated at run time.
type Plan struct {
	Event     string      `json:"event"`
	Workflows []*Workflow `json:"workflows"`
}

// Workflow is one workflow file, reduced to what running it needs.
type Workflow struct {
	File     string            `json:"file"`
	Name     string            `json:"name"`
	Env      map[string]string `json:"env,omitempty"`
	Defaults RunDefaults       `json:"defaults,omitempty"`
	// On holds the workflow's triggers by event name.
	On map[string]*Trigger `json:"on"`
	// Jobs in an order where every job comes after the jobs it needs.
	Jobs []*Job `json:"jobs"`
	// Inputs declared for workflow_dispatch or workflow_call, by name.
	Inputs map[string]Input `json:"inputs,omitempty"`
	// Outputs declared under on.workflow_call.outputs: name to value expression.
	Outputs map[string]string `json:"outputs,omitempty"`
	// Secrets declared under on.workflow_call.secrets.
	Secrets map[string]SecretSpec `json:"secrets,omitempty"`
	// Permissions is the workflow's permissions block (see
	// Job.Permissions); nil when it has none.
	Permissions map[string]string `json:"permissions,omitempty"`
	// Notes are things the user should know that are not errors, such as
	// "schedule triggers are ignored".
	Notes []string `json:"notes,omitempty"`
	// Problems are what checking the file found (lint), in file order.
	// Errors fail every job of the workflow before its first step, each
	// with every problem in its log; warnings are shown in each job's log
	// and change nothing else. The engine reports both through its events.
	Problems []Problem `json:"problems,omitempty"`
}

// Trigger is one event under on:, with its filters. Empty lists mean no
// filter of that kind.
type Trigger struct {
	Types          []string `json:"types,omitempty"`
	Branches       []string `json:"branches,omitempty"`
	BranchesIgnore []string `json:"branches-ignore,omitempty"`
	Tags           []string `json:"tags,omitempty"`
	TagsIgnore     []string `json:"tags-ignore,omitempty"`
	Paths          []string `json:"paths,omitempty"`
	PathsIgnore    []string `json:"paths-ignore,omitempty"`
	// Inputs are the inputs declared under this event (workflow_dispatch,
	// workflow_call): a called workflow sees only its workflow_call ones.
	Inputs map[string]Input `json:"inputs,omitempty"`
}

// Input is a declared workflow_dispatch or workflow_call input.
type Input struct {
	Description string   `json:"description,omitempty"`
	Required    bool     `json:"required,omitempty"`
	Default     any      `json:"default,omitempty"`
	Type        string   `json:"type,omitempty"`
	Options     []string `json:"options,omitempty"`
}

// SecretSpec is a secret declared by a reusable workflow.
type SecretSpec struct {
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
}

// RunDefaults holds defaults.run at workflow or job level.
type RunDefaults struct {
	Shell            string `json:"shell,omitempty"`
	WorkingDirectory string `json:"working-directory,omitempty"`
}

// Job is one job of a workflow. A job either has Steps or calls a reusable
// workflow through Uses.
type Job struct {
	ID     string   `json:"id"`
	Name   string   `json:"name,omitempty"`
	Needs  []string `json:"needs,omitempty"`
	If     string   `json:"if,omitempty"`
	RunsOn []string `json:"runs-on,omitempty"`
	// Env is the job's env block (not yet merged with the workflow's).
	Env      map[string]string `json:"env,omitempty"`
	Defaults RunDefaults       `json:"defaults,omitempty"`
	Strategy *Strategy         `json:"strategy,omitempty"`
	// ContinueOnError and TimeoutMinutes may be expressions; empty means unset.
	ContinueOnError string                `json:"continue-on-error,omitempty"`
	TimeoutMinutes  string                `json:"timeout-minutes,omitempty"`
	Outputs         map[string]string     `json:"outputs,omitempty"`
	Container       *Container            `json:"container,omitempty"`
	Services        map[string]*Container `json:"services,omitempty"`
	Steps           []*Step               `json:"steps,omitempty"`
	// Uses names a reusable workflow (./.forgejo/workflows/x.yml or
	// owner/repo/path@ref); With and Secrets are its inputs and secrets.
	Uses           string            `json:"uses,omitempty"`
	With           map[string]any    `json:"with,omitempty"`
	Secrets        map[string]string `json:"secrets,omitempty"`
	InheritSecrets bool              `json:"inherit-secrets,omitempty"`
	// Permissions are the job's permissions by scope (contents: read);
	// read-all and write-all are {"*": "read"} and {"*": "write"}. Nil
	// when the job has none (the workflow's, or the forge's default,
	// apply). Environment is the name of the job's deployment
	// environment. Anvil enforces neither; policies read them.
	Permissions map[string]string `json:"permissions,omitempty"`
	Environment string            `json:"environment,omitempty"`
	Pos         Position          `json:"pos"`
}

// Strategy is a job's strategy block. Matrix is kept as decoded data because
// it may hold expressions (fromJSON(needs.x.outputs.y)); ExpandMatrix turns
// it into combinations once those are evaluated.
type Strategy struct {
	// Matrix is the matrix mapping as plain data, or a string expression
	// that evaluates to one.
	Matrix      any    `json:"matrix,omitempty"`
	FailFast    string `json:"fail-fast,omitempty"`
	MaxParallel string `json:"max-parallel,omitempty"`
}

// Container describes a job container or a service container.
type Container struct {
	Image       string            `json:"image"`
	Env         map[string]string `json:"env,omitempty"`
	Ports       []string          `json:"ports,omitempty"`
	Volumes     []string          `json:"volumes,omitempty"`
	Options     string            `json:"options,omitempty"`
	Credentials map[string]string `json:"credentials,omitempty"`
	// Cmd is Forgejo's service command override.
	Cmd []string `json:"cmd,omitempty"`
}

// Step is one step of a job: either Run or Uses is set.
type Step struct {
	// Index is the step's position in the job's steps, from 0.
	Index            int               `json:"index"`
	ID               string            `json:"id,omitempty"`
	Name             string            `json:"name,omitempty"`
	If               string            `json:"if,omitempty"`
	Run              string            `json:"run,omitempty"`
	Shell            string            `json:"shell,omitempty"`
	WorkingDirectory string            `json:"working-directory,omitempty"`
	Uses             string            `json:"uses,omitempty"`
	With             map[string]string `json:"with,omitempty"`
	Env              map[string]string `json:"env,omitempty"`
	ContinueOnError  string            `json:"continue-on-error,omitempty"`
	TimeoutMinutes   string            `json:"timeout-minutes,omitempty"`
	Pos              Position          `json:"pos"`
}

// DisplayName is the name GitHub shows for a step.
func (s *Step) DisplayName() string {
	switch {
	case s.Name != "":
		return s.Name
	case s.Uses != "":
		return "Run " + s.Uses
	case s.Run != "":
		line := s.Run
		for i, c := range line {
			if c == '\n' {
				line = line[:i]
				break
			}
		}
		return "Run " + line
	}
	return s.ID
}
