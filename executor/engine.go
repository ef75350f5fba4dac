package executor

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"time"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// BackendFor picks the backend for a job from its runs-on labels (already
// evaluated). It returns an error naming the labels when none matches: one
// that wraps ErrNoPlatform skips the job, any other fails it.
type BackendFor func(runsOn []string) (Backend, JobSpecHints, error)

// ErrNoPlatform is wrapped by a BackendFor error to say that none of the
// job's runs-on labels is mapped to a backend on purpose (anvil exec -P).
// The engine then skips the job, with the error as a warning in its log, as
// act does, instead of failing it.
var ErrNoPlatform = errors.New("no runs-on label of the job is mapped, so it is skipped")

// JobSpecHints carries what the label mapping says about a job's
// environment, such as the container image of docker:// labels.
type JobSpecHints struct {
	Image string
}

// Config is what an Engine needs. Backends is required, and Loader is
// needed as soon as a job uses an action or calls a reusable workflow;
// every other field has a usable zero value.
type Config struct {
	// Backends chooses where each job runs.
	Backends BackendFor
	// Sink receives every event, masked; nil drops them.
	Sink Sink
	// WorkDir is the directory under which each job gets its own root
	// (workspace, temp, env files). Default: os.TempDir().
	WorkDir string
	// SourceDir is the repository the run is about (exec -C). Local actions
	// and reusable workflows resolve against the job's workspace; a
	// checkout of the repository itself copies SourceDir in exec mode.
	SourceDir string
	// LocalCheckout makes actions/checkout without a repository input copy
	// SourceDir into the workspace instead of fetching (anvil exec).
	LocalCheckout bool
	// Github is the github context (event, ref, sha, repository, ...).
	Github map[string]any
	// Secrets, Vars and Env (extra environment for every job) by name.
	Secrets map[string]string
	Vars    map[string]string
	Env     map[string]string
	// Inputs are workflow_dispatch inputs given by the user.
	Inputs map[string]any
	// Runtime is what every job is given to reach the artifact and cache
	// services.
	Runtime Runtime
	// BaseEnv is the environment every job process starts from, before
	// the GITHUB_* variables and the workflow's env. cmd fills it from
	// HostEnv so that jobs never see the whole environment of anvil.
	BaseEnv map[string]string
	// RunnerName is runner.name in the runner context. Default: "anvil".
	RunnerName string
	// StepDebug turns on ::debug:: output (ACTIONS_STEP_DEBUG).
	StepDebug bool
	// SelfBinary is the path of the anvil executable, made runnable as
	// "anvil" on every job's PATH (the shipped actions need it).
	SelfBinary string
	// Actions resolves remote actions and reusable workflows; nil means
	// only local ones (and actions/checkout in exec) can run.
	Actions ActionResolver
	// Needs gives results of jobs that ran elsewhere (runner tasks).
	Needs map[string]NeedResult
	// WorkflowRef, when set, turns the path of a local reusable workflow
	// (uses: ./.forgejo/workflows/x.yml, given without "./") into the
	// reference Actions resolves it by, instead of reading it from
	// SourceDir: a forge task has no checkout, so the runner names the
	// task's repository at the task's commit.
	WorkflowRef func(path string) string
	// Grace is how long a cancelled process gets between interrupt and
	// kill. Default 10s.
	Grace time.Duration
	// MaxParallelJobs bounds jobs running at once across the run; 0 means
	// the number of CPUs.
	MaxParallelJobs int
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Admit, when set, is asked before each job starts (see AdmitFunc):
	// the hook of a policy.
	Admit AdmitFunc
	// Loader reads the action.yml of a uses: step and a called reusable
	// workflow into plan types (cmd and runner give enginetest.Loader()).
	// Without it, a job that uses an action or calls a workflow fails.
	Loader Loader
}

// Loader reads and parses what a job refers to at run time: the executor
// imports plan types only and leaves reading and parsing workflow and
// action files to its caller (pipeline.Loader implements it).
type Loader interface {
	// LoadAction reads and parses the action.yml (or action.yaml) at file.
	// When there is no such file, the error wraps fs.ErrNotExist.
	LoadAction(file string) (*plan.Action, error)
	// LoadWorkflow reads and parses the reusable workflow at file; name is
	// the file name its positions and errors use.
	LoadWorkflow(file, name string) (*plan.Workflow, error)
}

// errNoLoader is returned when a job needs a Loader that Config lacks.
var errNoLoader = errors.New("executor.Config.Loader is not set, so actions and reusable workflows cannot be read: give it enginetest.Loader()")

// ActionResolver fetches what uses: names outside the repository.
type ActionResolver interface {
	// ResolveAction returns a directory on this machine that holds the
	// action named by uses (owner/repo[/path]@ref, or
	// https://host/owner/repo[/path]@ref), i.e. the directory of its
	// action.yml.
	ResolveAction(ctx context.Context, uses string) (dir string, err error)
	// ResolveWorkflow returns the path on this machine of the reusable
	// workflow named by uses (owner/repo/.forgejo/workflows/x.yml@ref).
	ResolveWorkflow(ctx context.Context, uses string) (file string, err error)
}

// NeedResult is a finished job's result and outputs as a dependent sees it.
type NeedResult struct {
	Result  Result            `json:"result"`
	Outputs map[string]string `json:"outputs,omitempty"`
}

// RunResult is the outcome of a whole run.
type RunResult struct {
	Result Result       `json:"result"`
	Jobs   []*JobResult `json:"jobs"`
}

// JobResult is the outcome of one job (one matrix combination).
type JobResult struct {
	Workflow string            `json:"workflow"`
	JobID    string            `json:"job_id"`
	Job      string            `json:"job"`
	Name     string            `json:"name"`
	Result   Result            `json:"result"`
	Duration time.Duration     `json:"duration"`
	Outputs  map[string]string `json:"outputs,omitempty"`
	Steps    []*StepResult     `json:"steps,omitempty"`
	// Summary is the job's concatenated step summaries (Markdown, masked).
	Summary string `json:"summary,omitempty"`
	Error   string `json:"error,omitempty"`
	// ContinueOnError is set when the job's continue-on-error was true: a
	// failure then does not fail the run.
	ContinueOnError bool `json:"continue_on_error,omitempty"`
}

// StepResult is the outcome of one step of a job.
type StepResult struct {
	Index    int               `json:"index"`
	ID       string            `json:"id,omitempty"`
	Name     string            `json:"name"`
	Result   Result            `json:"result"`
	Outcome  Result            `json:"outcome"`
	Duration time.Duration     `json:"duration"`
	Outputs  map[string]string `json:"outputs,omitempty"`
}

// Engine runs plans. Call Run once per Engine.
type Engine struct {
	cfg    Config
	masker *Masker
	// kill is cancelled by Kill: it stops even the steps that run after a
	// cancellation (always(), post).
	kill       context.Context
	killCancel context.CancelFunc
	sem        chan struct{}
	seq        atomic.Int64
}

// New returns an Engine for cfg.
func New(cfg Config) *Engine {
	if cfg.Sink == nil {
		cfg.Sink = NopSink{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Grace == 0 {
		cfg.Grace = 10 * time.Second
	}
	if cfg.MaxParallelJobs <= 0 {
		cfg.MaxParallelJobs = runtime.NumCPU()
	}
	if cfg.RunnerName == "" {
		cfg.RunnerName = "anvil"
	}
	kill, killCancel := context.WithCancel(context.Background())
	e := &Engine{cfg: cfg, masker: NewMasker(), kill: kill, killCancel: killCancel,
		sem: make(chan struct{}, cfg.MaxParallelJobs)}
	for _, v := range cfg.Secrets {
		e.masker.Add(v)
	}
	for _, v := range cfg.Runtime.Credentials {
		e.masker.Add(v)
	}
	return e
}

// Kill stops everything at once, including the steps that run after a
// cancellation (if: always(), post steps). Use it for a second Ctrl-C.
func (e *Engine) Kill() { e.killCancel() }

// Masker returns the masker the engine applies to every line; callers that
// print errors of their own mask them with it too.
func (e *Engine) Masker() *Masker { return e.masker }
