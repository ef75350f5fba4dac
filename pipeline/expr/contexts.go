package expr

// Contexts holds every context an expression may read. A nil map reads as
// an empty context. The zero value is usable.
type Contexts struct {
	// Github is the github context (also readable as forgejo and gitea) as
	// plain JSON-like data: event, event_name, ref, sha, repository, ...
	Github   map[string]any
	Env      map[string]string
	Vars     map[string]string
	Secrets  map[string]string
	Inputs   map[string]any
	Job      JobContext
	Steps    map[string]StepResult
	Runner   map[string]any
	Strategy map[string]any
	Matrix   map[string]any
	Needs    map[string]NeedResult
	// Jobs is the jobs context, only set while evaluating a reusable
	// workflow's on.workflow_call.outputs.
	Jobs map[string]NeedResult
	// Workspace is the directory hashFiles reads (github.workspace).
	Workspace string
	// Status drives success(), failure(), cancelled(): see Status.
	Status Status
}

// JobContext is the job context.
type JobContext struct {
	Status    string         `json:"status"`
	Container map[string]any `json:"container,omitempty"`
	Services  map[string]any `json:"services,omitempty"`
}

// StepResult is one entry of the steps context.
type StepResult struct {
	Outputs    map[string]string `json:"outputs"`
	Conclusion string            `json:"conclusion"`
	Outcome    string            `json:"outcome"`
}

// NeedResult is one entry of the needs (or jobs) context.
type NeedResult struct {
	Outputs map[string]string `json:"outputs"`
	Result  string            `json:"result"`
}

// Status is what the status functions see.
type Status struct {
	// Cancelled is true once the run was cancelled.
	Cancelled bool
	// Failed is true when, for a step condition, an earlier step of the job
	// failed; for a job condition, a needed job (transitively) failed or was
	// cancelled.
	Failed bool
	// Skipped is true, for a job condition, when a needed job (transitively)
	// was skipped or did not succeed without failing: success() is then
	// false while failure() stays false, as on GitHub.
	Skipped bool
}
