package docker_test

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/executor"
	"codeberg.org/anvil-ci/anvil/executor/docker"
	"codeberg.org/anvil-ci/anvil/executor/docker/dockertest"
	"codeberg.org/anvil-ci/anvil/internal/testkit"
)

// TestHostAddress: a job container reaches a server that listens on every
// interface of this machine at the environment's HostAddress, on the
// default bridge and on the job network a job with services gets; on the
// host's network there is no address to rewrite to.
func TestHostAddress(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "reached anvil's machine") })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	port := ln.Addr().(*net.TCPAddr).Port

	tests := []struct {
		name     string
		cfg      docker.Config
		services bool
		wantAddr bool
	}{
		{name: "default bridge", wantAddr: true},
		{name: "job network", services: true, wantAddr: true},
		{name: "host network", cfg: docker.Config{Network: "host"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, _ := testJob(t, tt.cfg, func(s *executor.JobSpec) {
				if tt.services {
					s.Services = map[string]*executor.ContainerSpec{"peer": {Image: dockertest.Image, Cmd: []string{"sleep", "infinity"}, Options: "--init"}}
				}
			})
			addr := env.HostAddress()
			if (addr != "") != tt.wantAddr || (addr != "" && net.ParseIP(addr) == nil) {
				t.Fatalf("HostAddress() = %q, want an IP: %t", addr, tt.wantAddr)
			}
			if addr == "" {
				addr = "127.0.0.1"
			}
			var out testkit.LockedBuffer
			script := fmt.Sprintf(`exec 3<>/dev/tcp/%s/%d && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && cat <&3`, addr, port)
			code, err := env.Exec(t.Context(), executor.Command{Args: []string{"bash", "-c", script}}, &out)
			if err != nil || code != 0 || !strings.Contains(out.String(), "reached anvil's machine") {
				t.Errorf("GET http://%s:%d/ from the job = %d, %v:\n%s", addr, port, code, err, out.String())
			}
		})
	}
}
