package argocd_test

import (
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
	"codeberg.org/anvil-ci/anvil/actions/argocd/argocdtest"
)

// TestTLS talks to the test server through a TLS proxy with a self-signed
// certificate: refused at once without insecure, fine with it.
func TestTLS(t *testing.T) {
	t.Parallel()
	e := newEnv(t, argocdtest.AppConfig{Synced: true})
	target, _ := url.Parse(e.srv.URL())
	proxy := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	t.Cleanup(proxy.Close)
	for _, insecure := range []bool{false, true} {
		c, err := argocd.NewClient(argocd.ClientConfig{Server: proxy.URL, Token: e.token, Insecure: insecure})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = argocd.Wait(t.Context(), c, argocd.WaitConfig{App: e.web, Sync: true, Health: true, Timeout: 10 * time.Second, Interval: fast}, nil)
		switch {
		case insecure && err != nil:
			t.Errorf("Wait with insecure: %v", err)
		case !insecure && (err == nil || !strings.Contains(err.Error(), "set insecure: true")):
			t.Errorf("Wait without insecure: %v, want a certificate error", err)
		case !insecure && time.Since(start) > 5*time.Second:
			t.Errorf("a certificate error was retried for %s", time.Since(start))
		}
	}
}
