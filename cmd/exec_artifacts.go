package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"codeberg.org/anvil-ci/anvil/artifacts"
)

// artifactFlags are act's flags for the local artifact server.
type artifactFlags struct {
	path string
	addr string
	port int
}

func (f *artifactFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&f.path, "artifact-server-path", "", "serve upload-artifact and download-artifact (v3 and v4) to the jobs, keeping artifacts in this directory")
	fs.StringVar(&f.addr, "artifact-server-addr", "", "the address the artifact server listens on, which jobs use (default: this host's outbound address, reachable from containers)")
	fs.IntVar(&f.port, "artifact-server-port", 34567, "the artifact server's port (0: any free port)")
}

// localArtifacts is the artifact server of one anvil exec run.
type localArtifacts struct {
	hs  *http.Server
	env map[string]string
}

// startArtifactServer starts the artifact server of a run when
// --artifact-server-path is set; otherwise it returns nil. Jobs of the run
// reach it with the variables of Env. runID must be the github.run_id the
// jobs get (GITHUB_RUN_ID): v3 clients put it in their URLs.
func startArtifactServer(f artifactFlags, repository string, runID int64) (*localArtifacts, error) {
	if f.path == "" {
		return nil, nil
	}
	tokens, err := artifacts.NewLocalTokens(repository)
	if err != nil {
		return nil, err
	}
	srv, err := artifacts.New(artifacts.Config{Dir: f.path, Authorizer: tokens})
	if err != nil {
		return nil, usageErrorf("--artifact-server-path %s: %w", f.path, err)
	}
	addr := f.addr
	if addr == "" {
		addr = outboundIP()
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(f.port)))
	if err != nil {
		return nil, usageErrorf("starting the artifact server: %w; choose another --artifact-server-port or --artifact-server-addr", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = hs.Serve(ln) }() // returns when Close shuts it down
	base := "http://" + ln.Addr().String()
	return &localArtifacts{hs: hs, env: map[string]string{
		"ACTIONS_RUNTIME_URL":   base + artifacts.V3Prefix,
		"ACTIONS_RESULTS_URL":   base,
		"ACTIONS_RUNTIME_TOKEN": tokens.Token(runID, 1),
	}}, nil
}

// Env is what every job of the run gets: ACTIONS_RUNTIME_URL (v3),
// ACTIONS_RESULTS_URL (v4) and ACTIONS_RUNTIME_TOKEN. Nil-safe: no server,
// no variables.
func (a *localArtifacts) Env() map[string]string {
	if a == nil {
		return nil
	}
	return a.env
}

// Close stops the server, letting running requests finish until ctx ends.
// Nil-safe.
func (a *localArtifacts) Close(ctx context.Context) error {
	if a == nil {
		return nil
	}
	if err := a.hs.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		_ = a.hs.Close()
		return fmt.Errorf("stopping the artifact server: %w", err)
	}
	return nil
}

// outboundIP is the address this host uses to reach other hosts, which
// job containers can reach too (act's default); loopback without a route.
// Dialing UDP sends nothing.
func outboundIP() string {
	conn, err := net.Dial("udp", "192.0.2.1:9") // TEST-NET-1
	if err != nil {
		return "127.0.0.1"
	}
	defer func() { _ = conn.Close() }()
	if a, ok := conn.LocalAddr().(*net.UDPAddr); ok && !a.IP.IsUnspecified() {
		return a.IP.String()
	}
	return "127.0.0.1"
}
