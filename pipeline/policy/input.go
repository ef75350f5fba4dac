package policy

// Input is what every rule sees: the job about to run and the task it
// belongs to, as the CEL variables job and task. Field names are the
// json tags; docs/policy.md documents each. Values come from the plan
// with runs-on labels, containers and timeout-minutes evaluated; env
// values are the workflow's text (expressions unevaluated), so no secret
// is ever put into an Input by anvil.
type Input struct {
	Job  Job  `json:"job"`
	Task Task `json:"task"`
}

// Task is the context of the run: who triggered what, where.
type Task struct {
	// Repository is owner/name; Ref the full ref (refs/heads/main);
	// RefProtected whether the forge protects it (Gitea sends it; false
	// when unknown); SHA the commit.
	Repository   string `json:"repository"`
	Ref          string `json:"ref"`
	RefProtected bool   `json:"ref_protected"`
	SHA          string `json:"sha"`
	// Event is the event name (push, pull_request, workflow_dispatch...).
	Event string `json:"event"`
	Actor string `json:"actor"`
	// Workflow is the workflow file of the run.
	Workflow string `json:"workflow"`
	// ServerURL is the forge (https://forge.example); DefaultActionsURL
	// where owner/repo@ref actions come from.
	ServerURL         string `json:"server_url"`
	DefaultActionsURL string `json:"default_actions_url"`
}

// Job is one job (one matrix combination) as planned.
type Job struct {
	// ID is the job's id; Key the id with a matrix suffix and, in a
	// called workflow, its caller's key before " / "; Name its display
	// name; Workflow the file it is in.
	ID       string `json:"id"`
	Key      string `json:"key"`
	Name     string `json:"name"`
	Workflow string `json:"workflow"`
	// RunsOn are the evaluated runs-on labels (empty for a job that
	// calls a reusable workflow).
	RunsOn []string `json:"runs_on"`
	// Container is the job container (Image "" when the job has none);
	// Services its service containers by id; Containers both in one list
	// (the job container first, then services by id).
	Container  Container            `json:"container"`
	Services   map[string]Container `json:"services"`
	Containers []Container          `json:"containers"`
	// Images are the images of every container and docker:// action of
	// the job, without duplicates, in that order.
	Images []string `json:"images"`
	// Uses is every action and reusable workflow the job uses, in step
	// order (a job-level reusable workflow call has Step -1).
	Uses []Uses `json:"uses"`
	// Steps are the job's steps.
	Steps []Step `json:"steps"`
	// Permissions are the job's, else the workflow's; empty when neither
	// sets any (the forge's default applies). read-all is {"*": "read"}.
	Permissions map[string]string `json:"permissions"`
	// TimeoutMinutes is the evaluated timeout-minutes, 360 when unset.
	TimeoutMinutes float64 `json:"timeout_minutes"`
	// Env is the workflow's env with the job's over it, as written.
	Env map[string]string `json:"env"`
	// Environment is the deployment environment's name ("" for none).
	Environment string `json:"environment"`
}

// Container is a job or service container.
type Container struct {
	// Service is the service id, "" for the job container.
	Service string   `json:"service"`
	Image   string   `json:"image"`
	Options string   `json:"options"`
	Volumes []string `json:"volumes"`
	Ports   []string `json:"ports"`
	// Credentials says whether registry credentials are given (never
	// what they are).
	Credentials bool `json:"credentials"`
}

// Uses is one action or reusable workflow reference.
type Uses struct {
	// Uses is the reference as written.
	Uses string `json:"uses"`
	// Kind is "action" (owner/repo[/path]@ref or its https:// form),
	// "workflow" (a reusable workflow, remote or local), "local" (an
	// action under ./ of the repository) or "docker" (docker://image).
	Kind string `json:"kind"`
	// Source is the server it comes from: its URL for https:// forms,
	// else the task's default actions URL ("" when unknown); the task's
	// server for local ones; the image's registry for docker.
	Source string `json:"source"`
	// Owner, Repo and Path name the repository and the directory or file
	// in it (the task's repository for local ones); Name is the action's
	// last path element (terraform-apply for owner/anvil/actions/terraform-apply).
	Owner string `json:"owner"`
	Repo  string `json:"repo"`
	Path  string `json:"path"`
	Name  string `json:"name"`
	// Ref is what follows @ (the tag for docker); SHA the commit it
	// resolved to, "" while unknown; Pinned whether Ref is a full commit
	// id (local ones are pinned to the task's commit).
	Ref    string `json:"ref"`
	SHA    string `json:"sha"`
	Pinned bool   `json:"pinned"`
	// Step is the step's index, -1 for a job that calls a workflow.
	Step int `json:"step"`
}

// Step is one step of the job.
type Step struct {
	Index int    `json:"index"`
	ID    string `json:"id"`
	Name  string `json:"name"`
	Uses  string `json:"uses"`
	Run   string `json:"run"`
}
