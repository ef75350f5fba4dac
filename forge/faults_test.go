package forge_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// TestReplyFaults makes each call of UpdateLog meet one of the faults a
// forge, a proxy or the network can cause in a reply, and checks the
// client's answer: a retryable error that says what happened (or success
// for a slow reply within the deadline), and then, with the fault gone,
// the same call storing the row once.
func TestReplyFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []forgetest.Option
		// arm arms the fault; client makes the client (nil: registered's).
		arm     func(srv *forgetest.Server)
		client  func(srv *forgetest.Server, r forgetest.RunnerRecord) *forge.ConnectClient
		timeout time.Duration
		// want is a part of the error, "" for success.
		want string
		// processed says whether the forge stored the row.
		processed bool
	}{
		{name: "truncated reply", arm: func(s *forgetest.Server) { s.TruncateReply(forgetest.MethodUpdateLog, 1) }, want: "unexpected EOF", processed: true},
		{name: "garbled reply", arm: func(s *forgetest.Server) { s.GarbleReply(forgetest.MethodUpdateLog, 1) }, want: "the forge's reply could not be read", processed: true},
		{name: "oversized reply", arm: func(s *forgetest.Server) { s.OversizeReply(forgetest.MethodUpdateLog, 1, 2<<20) },
			client: func(s *forgetest.Server, r forgetest.RunnerRecord) *forge.ConnectClient {
				return forge.New(forge.Config{Address: s.URL(), UUID: r.UUID, Token: r.Token, MaxReplyBytes: 1 << 20})
			},
			want: "larger than anvil accepts (1048576 bytes)", processed: true},
		{name: "oversized reply within the limit", arm: func(s *forgetest.Server) { s.OversizeReply(forgetest.MethodUpdateLog, 1, 2<<20) }, processed: true},
		{name: "slow reply past the deadline", arm: func(s *forgetest.Server) { s.SlowReply(forgetest.MethodUpdateLog, time.Hour) },
			timeout: 200 * time.Millisecond, want: "deadline exceeded", processed: true},
		{name: "slow reply", arm: func(s *forgetest.Server) { s.SlowReply(forgetest.MethodUpdateLog, time.Millisecond) }, processed: true},
		{name: "redirect", arm: func(s *forgetest.Server) { s.Redirect(forgetest.MethodUpdateLog, 1, "http://127.0.0.1:1") },
			want: "the forge redirected the call to http://127.0.0.1:1/api/actions/runner.v1.RunnerService/UpdateLog"},
		{name: "untrusted certificate", opts: []forgetest.Option{forgetest.WithTLS()}, arm: func(s *forgetest.Server) { s.UntrustedCertificate(1) },
			want: "the forge's TLS certificate is not trusted"},
		{name: "plain http to https", opts: []forgetest.Option{forgetest.WithTLS()}, arm: func(*forgetest.Server) {},
			client: func(s *forgetest.Server, r forgetest.RunnerRecord) *forge.ConnectClient {
				return forge.New(forge.Config{Address: strings.Replace(s.URL(), "https://", "http://", 1), UUID: r.UUID, Token: r.Token})
			},
			want: "if the forge speaks https, use https:// in the forge address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := forgetest.New(t, tt.opts...)
			r := srv.AddRunner("r", []string{"ubuntu-latest"})
			good := forge.New(forge.Config{Address: srv.URL(), UUID: r.UUID, Token: r.Token, HTTPClient: trusting(srv)})
			id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: workflow})
			if task, _, err := good.FetchTask(t.Context(), 0); err != nil || task.GetId() != id {
				t.Fatalf("FetchTask = %v, %v; want task %d", task, err, id)
			}
			c := good
			if tt.client != nil {
				c = tt.client(srv, r)
			} else if srv.Certificate() != nil {
				c = forge.New(forge.Config{Address: srv.URL(), UUID: r.UUID, Token: r.Token, HTTPClient: trusting(srv)})
			}
			tt.arm(srv)
			ctx := t.Context()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			rows := []*runnerv1.LogRow{{Content: "row"}}
			ack, err := c.UpdateLog(ctx, id, 0, rows, false)
			t.Logf("UpdateLog = %d, %v", ack, err)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("UpdateLog = %v, want success", err)
			case tt.want == "" && ack != 1:
				t.Errorf("UpdateLog acknowledged %d rows, want 1", ack)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, forge.ErrRetryable)):
				t.Errorf("UpdateLog = %v, want a retryable error with %q", err, tt.want)
			}
			if got := srv.Task(id).LogLength == 1; got != tt.processed && tt.timeout == 0 {
				t.Errorf("rows stored = %t, want %t", got, tt.processed)
			}
			// The fault is gone: the same call goes through and stores
			// the row once.
			srv.SlowReply(forgetest.MethodUpdateLog, 0)
			rows = append(rows, &runnerv1.LogRow{Content: "last"})
			if ack, err := good.UpdateLog(t.Context(), id, 0, rows, true); err != nil || ack != 2 {
				t.Errorf("UpdateLog after the fault = %d, %v; want 2", ack, err)
			}
			if rec := srv.Task(id); !slices.Equal(rowContents(rec.Rows), []string{"row", "last"}) || !rec.LogClosed {
				t.Errorf("the forge has rows %q (closed %t), want row, last, closed", rowContents(rec.Rows), rec.LogClosed)
			}
		})
	}
}

// trusting is an HTTP client that trusts srv's certificate (nil for a
// plain-HTTP forge).
func trusting(srv *forgetest.Server) *http.Client {
	if srv.Certificate() == nil {
		return nil
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, CheckRedirect: forge.NoRedirects}
}

func rowContents(rows []forgetest.Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Content
	}
	return out
}
