package cmd

import (
	"time"

	"github.com/spf13/pflag"

	"codeberg.org/anvil-ci/anvil/executor/resolve"
	"codeberg.org/anvil-ci/anvil/localrun"
)

// execOptions are the flags of anvil exec as given.
type execOptions struct {
	run       localrun.Options
	list      bool
	json      bool
	docker    dockerFlags
	artifacts localrun.ArtifactOptions
	cache     localrun.CacheOptions
	govern    localrun.Govern
}

// bind registers the exec flags on fs, act-compatible where act has them.
func (o *execOptions) bind(fs *pflag.FlagSet) {
	r, v, a := &o.run, &o.run.Values, &o.run.Actions
	fs.StringVarP(&r.Dir, "directory", "C", ".", "the repository to run: workflows, git state and the checkout come from here")
	fs.StringVarP(&r.Workflows, "workflows", "W", "", "a workflow file or directory (default: .forgejo/workflows, .gitea/workflows or .github/workflows)")
	fs.StringVarP(&r.Job, "job", "j", "", "run only the job with this id (and the jobs it needs)")
	fs.StringVarP(&r.EventPath, "eventpath", "e", "", "a JSON file with the event payload (github.event)")
	fs.StringVarP(&r.Actor, "actor", "a", "", "the user who triggered the event: github.actor and github.triggering_actor (default: git's user.name, else $USER)")
	fs.StringArrayVarP(&v.Secrets, "secret", "s", nil, "a secret as NAME=VALUE, or NAME to take the value from anvil's environment (repeatable)")
	fs.StringVar(&v.SecretFile, "secret-file", "", "a file of NAME=VALUE secrets (dotenv format)")
	fs.StringArrayVar(&v.Vars, "var", nil, "a configuration variable (vars context) as NAME=VALUE (repeatable)")
	fs.StringVar(&v.VarFile, "var-file", "", "a file of NAME=VALUE variables (dotenv format)")
	fs.StringArrayVar(&v.Env, "env", nil, "an environment variable for every job as NAME=VALUE (repeatable)")
	fs.StringVar(&v.EnvFile, "env-file", "", "a file of NAME=VALUE environment variables (dotenv format)")
	fs.StringArrayVar(&v.Inputs, "input", nil, "a workflow_dispatch input as NAME=VALUE (repeatable)")
	fs.BoolVarP(&o.list, "list", "l", false, "list the jobs the event would run, and run nothing")
	fs.StringArrayVarP(&r.Platforms, "platform", "P", nil, "run jobs with runs-on LABEL on this host (LABEL=host, or act's LABEL=-self-hosted) or in a container (LABEL=docker://IMAGE); jobs with no mapped label are skipped (repeatable)")
	o.docker.bind(fs)
	fs.BoolVar(&o.json, "json", false, "print one JSON event per line on stdout")
	fs.StringVar(&r.WorkDir, "workdir", "", "where job directories go (default: a temporary directory removed afterwards)")
	fs.DurationVar(&r.Grace, "grace", 10*time.Second, "how long cancelled processes get between interrupt and kill")
	fs.StringArrayVar(&a.Sources, "default-actions-url", nil, "where uses: owner/repo@ref is fetched from, tried in order (repeatable; default: the origin remote's forge, then "+resolve.DefaultSource+")")
	fs.StringVar(&a.Mirror, "action-mirror", "", "fetch every remote action and reusable workflow from URL/owner/repo instead (http(s) or file://)")
	fs.StringArrayVar(&a.Local, "local-repository", nil, "use DIR for owner/repo@ref (or https://host/owner/repo@ref), as owner/repo@ref=DIR (repeatable)")
	fs.BoolVar(&a.Offline, "offline", false, "resolve remote actions only from the action cache and --local-repository")
	fs.StringVar(&a.Cache, "action-cache", "", "the action cache directory (default: $XDG_CACHE_HOME/anvil/actions or ~/.cache/anvil/actions)")
	fs.StringVar(&o.artifacts.Path, "artifact-server-path", "", "serve upload-artifact and download-artifact (v3 and v4) to the jobs, keeping each run's artifacts in DIR/RUN_ID")
	fs.StringVar(&o.artifacts.Addr, "artifact-server-addr", "", "the address jobs reach the artifact server at, shared with the cache server (default: --cache-server-addr, else 127.0.0.1, and the gateway of their network for container jobs)")
	fs.Uint16Var(&o.artifacts.Port, "artifact-server-port", 0, "the port of the artifact server, shared with the cache server (default: --cache-server-port, else any free port)")
	fs.StringVar(&o.cache.Path, "cache-server-path", "", "where actions/cache entries are kept across runs (default: $XDG_CACHE_HOME/anvil/exec-cache or ~/.cache/anvil/exec-cache)")
	fs.StringVar(&o.cache.Addr, "cache-server-addr", "", "the address jobs reach the cache server at (default: 127.0.0.1, and the gateway of their network for container jobs)")
	fs.Uint16Var(&o.cache.Port, "cache-server-port", 0, "the port of the cache server (default: any free port)")
	fs.BoolVar(&o.cache.Off, "no-cache-server", false, "start no cache server: jobs get no ACTIONS_CACHE_URL")
	fs.StringVar(&o.govern.Policy, "policy", "", "check every job against this policy file (or directory of them) before it runs; see docs/policy.md")
	fs.StringVar(&o.govern.AuditLog, "audit-log", "", "append one JSON audit record per job to this file")
}
