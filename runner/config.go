package runner

import (
	"time"

	"github.com/sirupsen/logrus"

	"codeberg.org/anvil-ci/anvil/audit"
	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/pipeline/policy"
	"codeberg.org/anvil-ci/anvil/pipeline/runopt"
)

// Config is what a Runner needs. Forge, Labels, StateDir and Host are
// required; every other field has a usable zero value.
type Config struct {
	// Forge is the protocol client, authenticated as this runner.
	Forge Forge
	// Name is the runner's name (the runner context's runner.name);
	// Version is what Declare sends.
	Name    string
	Version string
	// Labels are the runner's labels, name[:schema[:arg]]. Their names are
	// declared to the forge; the schema chooses where a job with that
	// label in its runs-on runs.
	Labels []string
	// Capacity is how many tasks run at once (default 1).
	Capacity int
	// Timeout bounds one task; a job still running then is cancelled and
	// reported as failed (default 3h).
	Timeout time.Duration
	// ShutdownTimeout is how long running tasks may go on once Run's
	// context ends before they are cancelled (0: cancel at once).
	ShutdownTimeout time.Duration
	// FetchTimeout bounds one FetchTask (default 5s); FetchInterval is the
	// time between two polls while idle (default 2s).
	FetchTimeout  time.Duration
	FetchInterval time.Duration
	// StateDir holds each running task's log spool and state, so that
	// nothing is lost while the forge is unreachable or the runner
	// restarts.
	StateDir string
	// WorkDir is where each task gets a directory of its own (removed
	// when it ends). Default: the system's temporary directory.
	WorkDir string
	// Host runs jobs whose label has the host schema.
	Host executor.Backend
	// Docker returns the backend for jobs whose label is docker://IMAGE;
	// nil means this runner has no Docker executor and such jobs fail
	// with a message that says so.
	Docker func(image string) (executor.Backend, error)
	// Actions returns the resolver for remote actions and reusable
	// workflows of a task, from its github context (which names the
	// forge's default actions URL and carries the job token); log is the
	// task's. An error fails the task with its message. Nil means only
	// local actions run.
	Actions func(github map[string]any, log *logrus.Entry) (executor.ActionResolver, error)
	// Runtime returns what the jobs of a task are given to reach the
	// artifact and cache services (ACTIONS_RUNTIME_URL, ACTIONS_CACHE_URL,
	// ...), from its github context, which carries the task's runtime
	// token. An error fails the task with its message. Nil gives jobs
	// none.
	Runtime func(github map[string]any) (executor.Runtime, error)
	// Policy, when set, decides before each job whether it may run
	// (policy.file); Audit, when set, gets one record per job
	// (audit.file). See govern.
	Policy *policy.Policy
	Audit  *audit.Log
	// Containers is what the Docker backend allows the containers of
	// jobs (container.privileged, container.valid_volumes, ...): checking
	// a task's workflow reports what it would refuse as errors before the
	// job starts.
	Containers runopt.Policy
	// Env is extra environment for every job (runner.envs, env_file);
	// BaseEnv is what every job process starts from.
	Env     map[string]string
	BaseEnv map[string]string
	// SelfBinary is the anvil executable, given to jobs as "anvil".
	SelfBinary string
	// Grace is how long a cancelled step's processes get between
	// interrupt and kill (default 10s).
	Grace time.Duration
	// Once makes Run return after one task has run and been reported.
	Once bool
	// OnIdle, when set, is called in a goroutine of its own once polling
	// works after the start, and again each time the runner has had no
	// task for Pace.IdleAfter: a moment to give memory back.
	OnIdle func()
	// Observer is told about forge calls and jobs, for metrics (default:
	// nobody).
	Observer Observer
	// Log receives the runner's own messages, with fields.
	Log *logrus.Entry
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Report tunes how often logs and states are sent; tests shorten it.
	Report ReportTiming
	// Pace tunes how often the runner polls; tests shorten it.
	Pace Pace
}

// ReportTiming tunes the reporting of one task. Zero values get defaults.
type ReportTiming struct {
	// Interval is how often pending rows and changed states are sent
	// (default 1s). Step starts and ends are sent at once.
	Interval time.Duration
	// Heartbeat is the longest time without a state report while a job
	// runs (default 3s; the forge fails tasks silent for 10 minutes).
	Heartbeat time.Duration
	// RequestTimeout bounds one UpdateLog or UpdateTask (default 15s).
	RequestTimeout time.Duration
	// MaxBackoff bounds the wait between retries (default 30s).
	MaxBackoff time.Duration
	// DrainTimeout bounds how long Run waits on shutdown for reports that
	// cannot reach the forge (default 30s); what is unsent stays spooled
	// and is sent on the next start.
	DrainTimeout time.Duration
}

// Pace is when the runner polls for tasks. Zero values get defaults.
type Pace struct {
	// Fast is the poll interval in the first second after a task ended or
	// arrived (default 100ms), when the next job of a needs chain usually
	// becomes ready; Brisk the interval after that until BriskFor has
	// passed (default 500ms for 5s).
	Fast     time.Duration
	Brisk    time.Duration
	BriskFor time.Duration
	// IdleAfter is how long without tasks before polls slow down to
	// IdleInterval (default 1m and 5s, or FetchInterval when longer).
	IdleAfter    time.Duration
	IdleInterval time.Duration
	// MaxBackoff bounds the wait after failed polls (default 30s).
	MaxBackoff time.Duration
}

func (c Config) withDefaults() Config {
	if c.Capacity <= 0 {
		c.Capacity = 1
	}
	if c.Timeout <= 0 {
		c.Timeout = 3 * time.Hour
	}
	if c.FetchTimeout <= 0 {
		c.FetchTimeout = 5 * time.Second
	}
	if c.FetchInterval <= 0 {
		c.FetchInterval = 2 * time.Second
	}
	if c.Grace <= 0 {
		c.Grace = 10 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		l := logrus.New()
		l.SetLevel(logrus.PanicLevel)
		c.Log = logrus.NewEntry(l)
	}
	if c.Name == "" {
		c.Name = "anvil"
	}
	if c.Observer == nil {
		c.Observer = nopObserver{}
	}
	p := &c.Pace
	if p.Fast <= 0 {
		p.Fast = 100 * time.Millisecond
	}
	if p.Brisk <= 0 {
		p.Brisk = 500 * time.Millisecond
	}
	if p.BriskFor <= 0 {
		p.BriskFor = 5 * time.Second
	}
	if p.IdleAfter <= 0 {
		p.IdleAfter = time.Minute
	}
	if p.IdleInterval <= 0 {
		p.IdleInterval = 5 * time.Second
	}
	p.IdleInterval = max(p.IdleInterval, c.FetchInterval)
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 30 * time.Second
	}
	if c.Report.DrainTimeout <= 0 {
		c.Report.DrainTimeout = 30 * time.Second
	}
	return c
}
