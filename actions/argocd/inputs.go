package argocd

import (
	"time"

	"codeberg.org/anvil-ci/anvil/actions/step"
)

// DefaultRetryBackoff is the first pause between retries of a failed sync.
const DefaultRetryBackoff = 5 * time.Second

// SyncInputs are argocd-sync's inputs.
func SyncInputs() []step.Input {
	return append(commonInputs(),
		step.Input{Name: "revision", Usage: "revision to sync to (default: the application's target revision)"},
		step.Input{Name: "prune", Usage: "delete resources no longer in git: true or false"},
		step.Input{Name: "dry-run", Usage: "preview the sync only: true or false"},
		step.Input{Name: "resources", Usage: "resources to sync, GROUP:KIND:[NAMESPACE/]NAME, one per line or comma-separated, e.g. apps:Deployment:web"},
		step.Input{Name: "sync-options", Usage: "sync options, one per line or comma-separated, e.g. CreateNamespace=true"},
		step.Input{Name: "retries", Usage: "how often Argo CD retries a failed sync (default 0)"},
		step.Input{Name: "retry-backoff", Usage: "first pause between retries (default 5s)"},
		step.Input{Name: "health", Usage: "also wait for Healthy after the sync: true or false (default false)"},
		step.Input{Name: "timeout", Usage: "bound of the whole sync, waiting included (default 5m)"},
	)
}

// WaitInputs are argocd-wait's inputs.
func WaitInputs() []step.Input {
	return append(commonInputs(),
		step.Input{Name: "revision", Usage: "commit the application must reach (full or at least 7 digits)"},
		step.Input{Name: "health", Usage: "wait for Healthy: true or false (default true)"},
		step.Input{Name: "sync", Usage: "wait for Synced: true or false (default true)"},
		step.Input{Name: "fail-on-degraded", Usage: "fail at once when Degraded at the revision: true or false (default true)"},
		step.Input{Name: "timeout", Usage: "bound of the wait (default 10m)"},
	)
}

func commonInputs() []step.Input {
	return []step.Input{
		{Name: "server", Usage: "Argo CD's address, e.g. https://argocd.example.com (https when no scheme is given)"},
		{Name: "token", Usage: "API token; prefer INPUT_TOKEN over the flag"},
		{Name: "username", Usage: "user name for a session, instead of token"},
		{Name: "password", Usage: "password for a session; prefer INPUT_PASSWORD over the flag"},
		{Name: "app", Usage: "the application: name, or namespace/name"},
		{Name: "insecure", Usage: "skip TLS certificate verification: true or false"},
		{Name: "interval", Usage: "time between reads of the application (default 2s)"},
	}
}

// Connection is how an action reaches its application: the client, the
// application, and the user name and password of a session when there is
// no token.
type Connection struct {
	Client             *Client
	App                AppRef
	Token              string
	Username, Password string
}

// ParseSync reads argocd-sync's inputs, reporting every problem at once.
func ParseSync(in *step.Inputs) (Connection, SyncConfig, error) {
	conn, app := parseConnection(in)
	cfg := SyncConfig{
		App:          app,
		Revision:     in.String("revision"),
		SyncOptions:  in.List("sync-options"),
		Prune:        in.Bool("prune", false),
		DryRun:       in.Bool("dry-run", false),
		Health:       in.Bool("health", false),
		Retries:      in.Int("retries", 0),
		RetryBackoff: in.Duration("retry-backoff", DefaultRetryBackoff),
		Timeout:      in.Duration("timeout", DefaultSyncTimeout),
		Interval:     in.Duration("interval", DefaultPollInterval),
	}
	for _, r := range in.List("resources") {
		res, err := ParseResource(r)
		in.Problem(err)
		cfg.Resources = append(cfg.Resources, res)
	}
	return conn, cfg, in.Err()
}

// ParseWait reads argocd-wait's inputs, reporting every problem at once.
func ParseWait(in *step.Inputs) (Connection, WaitConfig, error) {
	conn, app := parseConnection(in)
	cfg := WaitConfig{
		App:            app,
		Revision:       in.String("revision"),
		Health:         in.Bool("health", true),
		Sync:           in.Bool("sync", true),
		FailOnDegraded: in.Bool("fail-on-degraded", true),
		Timeout:        in.Duration("timeout", DefaultWaitTimeout),
		Interval:       in.Duration("interval", DefaultPollInterval),
	}
	return conn, cfg, in.Err()
}

// parseConnection reads the inputs argocd-sync and argocd-wait share.
func parseConnection(in *step.Inputs) (Connection, AppRef) {
	conn := Connection{Token: in.Raw("token"), Username: in.String("username"), Password: in.Raw("password")}
	app, err := ParseAppRef(in.String("app"))
	in.Problem(err)
	conn.App = app
	insecure := in.Bool("insecure", false)
	if conn.Token == "" && (conn.Username == "" || conn.Password == "") {
		in.Problemf("no credentials: give token, or username and password")
	}
	conn.Client, err = NewClient(ClientConfig{Server: in.String("server"), Token: conn.Token, Insecure: insecure, UserAgent: "anvil-action"})
	in.Problem(err)
	return conn, app
}

// SyncOutputs are argocd-sync's step outputs from res (none when nil).
func SyncOutputs(res *Result) []step.Output {
	if res == nil {
		return nil
	}
	return []step.Output{
		{Name: "phase", Value: res.Phase()}, {Name: "sync-status", Value: res.SyncStatus()},
		{Name: "health-status", Value: res.HealthStatus()}, {Name: "revision", Value: res.Revision}, {Name: "message", Value: res.Message()},
	}
}

// WaitOutputs are argocd-wait's step outputs from res (none when nil).
func WaitOutputs(res *Result) []step.Output {
	if res == nil {
		return nil
	}
	return []step.Output{
		{Name: "sync-status", Value: res.SyncStatus()}, {Name: "health-status", Value: res.HealthStatus()},
		{Name: "revision", Value: res.Revision}, {Name: "phase", Value: res.Phase()},
	}
}
