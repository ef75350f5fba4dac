package runner

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"
	"time"

	runnerv1 "code.gitea.io/actions-proto-go/runner/v1"

	"codeberg.org/anvil-ci/anvil/forge"
	"codeberg.org/anvil-ci/anvil/forge/forgetest"
)

// TestReportSurvivesReplyFaults runs a job while the forge's replies to
// UpdateLog and UpdateTask are spoilt in each way a forge, a proxy or the
// network can spoil them, and checks that once the fault is over every
// row and the result are on the forge, each row once.
func TestReportSurvivesReplyFaults(t *testing.T) {
	t.Parallel()
	both := func(arm func(s *forgetest.Server, method string)) func(*forgetest.Server) {
		return func(s *forgetest.Server) {
			arm(s, forgetest.MethodUpdateLog)
			arm(s, forgetest.MethodUpdateTask)
		}
	}
	tests := []struct {
		name string
		opts []forgetest.Option
		arm  func(*forgetest.Server)
	}{
		{name: "truncated replies", arm: both(func(s *forgetest.Server, m string) { s.TruncateReply(m, 2) })},
		{name: "garbled replies", arm: both(func(s *forgetest.Server, m string) { s.GarbleReply(m, 2) })},
		{name: "oversized replies", arm: both(func(s *forgetest.Server, m string) { s.OversizeReply(m, 2, 128<<10) })},
		{name: "slow replies", arm: both(func(s *forgetest.Server, m string) { s.SlowReply(m, time.Millisecond) })},
		{name: "redirects", arm: both(func(s *forgetest.Server, m string) { s.Redirect(m, 2, "http://127.0.0.1:1") })},
		{name: "untrusted certificate", opts: []forgetest.Option{forgetest.WithTLS()}, arm: func(s *forgetest.Server) { s.UntrustedCertificate(3) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := forgetest.New(t, tt.opts...)
			id := srv.AddTask(forgetest.TaskSpec{WorkflowYAML: "on: push\njobs:\n  j:\n    runs-on: self-hosted\n    steps:\n      - run: echo first\n      - run: echo second\n"})
			tr := newTestRunner(t, srv, nil)
			tr.cfg.Forge = forge.New(forge.Config{Address: srv.URL(), UUID: tr.rec.UUID, Token: tr.rec.Token, MaxReplyBytes: 64 << 10, HTTPClient: trustingClient(srv)})
			// FetchTask is spared (but for the certificate, which fails
			// before any call is made): a task in a lost FetchTask reply
			// is lost by the protocol's design.
			tt.arm(srv)
			tr.start(t)
			rec := waitLogClosed(t, srv, id)
			checkReport(t, rec)
			text := rowsText(rec)
			if rec.ReportedResult != runnerv1.Result_RESULT_SUCCESS || !strings.Contains(text, "\nfirst\n") || !strings.Contains(text, "\nsecond\n") || !strings.HasSuffix(text, "Job succeeded\n") {
				t.Errorf("result %s; rows:\n%s", rec.ReportedResult, text)
			}
			if !strings.Contains(tr.logs.String(), "will retry") && tt.name != "slow replies" {
				t.Errorf("the runner's log shows no retry:\n%s", tr.logs.String())
			}
		})
	}
}

// trustingClient is an HTTP client that trusts srv's certificate and
// follows no redirects, as the forge client's own; nil for a plain-HTTP
// forge (the client's own is used).
func trustingClient(srv *forgetest.Server) *http.Client {
	if srv.Certificate() == nil {
		return nil
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr, CheckRedirect: forge.NoRedirects}
}
