package docker

import "codeberg.org/anvil-ci/anvil/pipeline/runopt"

// runOptions are the docker run flags a job's or service's options: may
// use, as pipeline/runopt reads them: the one list, which lint checks
// workflows against too.
type runOptions = runopt.Options

// healthOptions are the --health-* flags.
type healthOptions = runopt.Health

// parseOptions parses an options: string like docker run's flags. what
// names the option's place (container, services.db) for messages.
func parseOptions(what, s string) (*runOptions, error) {
	return runopt.Parse(what, "", s)
}

// parseOptionsAfter parses the runner's options (Config.Options) followed
// by a job's: a flag given in both takes the job's value, list flags (-e,
// -v, ...) get both.
func parseOptionsAfter(what, runner, s string) (*runOptions, error) {
	return runopt.Parse(what, runner, s)
}

// policy is what cfg allows the job's containers.
func (cfg Config) policy() runopt.Policy {
	return runopt.Policy{Privileged: cfg.Privileged, ValidVolumes: cfg.ValidVolumes, Memory: cfg.Memory, CPUs: cfg.CPUs, Options: cfg.Options}
}
