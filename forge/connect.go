package forge

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"code.gitea.io/actions-proto-go/ping/v1/pingv1connect"
	"code.gitea.io/actions-proto-go/runner/v1/runnerv1connect"
	"connectrpc.com/connect"
)

// Headers the forge reads on every call but Register and Ping.
const (
	HeaderUUID    = "x-runner-uuid"
	HeaderToken   = "x-runner-token"
	HeaderVersion = "x-runner-version"
)

// Config is what a ConnectClient needs.
type Config struct {
	// Address is the forge's URL, e.g. https://forge.example (the .runner
	// file's address). The protocol lives under Address + "/api/actions".
	Address string
	// UUID and Token are the runner's credentials from Register (the
	// .runner file's uuid and token); empty before registering.
	UUID, Token string
	// Insecure skips TLS certificate verification. Ignored when HTTPClient
	// is set.
	Insecure bool
	// HTTPClient sends the requests; nil means a client of its own with the
	// standard transport (proxy from the environment, HTTP/2 over TLS).
	HTTPClient *http.Client
	// Version is anvil's version, sent in the x-runner-version header and
	// as Register's version when the request has none.
	Version string
	// MaxReplyBytes bounds the size of a reply (decompressed); a larger
	// one is an ErrRetryable error. Zero means DefaultMaxReplyBytes.
	MaxReplyBytes int
}

// DefaultMaxReplyBytes is the largest reply a client accepts by default:
// far above any task (a workflow is at most 1 MiB, an event payload a few),
// and a bound on what a broken proxy or forge can make the runner hold.
const DefaultMaxReplyBytes = 64 << 20

// ConnectClient implements Client with connect's binary protobuf codec. It
// accepts gzip-compressed replies (the forge compresses those of 1 KiB or
// more) and sends requests uncompressed, as forgejo-runner does.
type ConnectClient struct {
	cfg       Config
	configErr error
	runner    runnerv1connect.RunnerServiceClient
	ping      pingv1connect.PingServiceClient
}

var _ Client = (*ConnectClient)(nil)

// New returns a client for the forge at cfg.Address. A malformed address
// is reported by every call, as a fatal error.
func New(cfg Config) *ConnectClient {
	c := &ConnectClient{cfg: cfg, configErr: checkAddress(cfg.Address)}
	hc := cfg.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		if cfg.Insecure {
			tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user asked for it (runner.insecure)
		}
		hc = &http.Client{Transport: tr, CheckRedirect: NoRedirects}
	}
	if c.cfg.MaxReplyBytes <= 0 {
		c.cfg.MaxReplyBytes = DefaultMaxReplyBytes
	}
	base := strings.TrimRight(cfg.Address, "/") + "/api/actions"
	limit := connect.WithReadMaxBytes(c.cfg.MaxReplyBytes)
	c.runner = runnerv1connect.NewRunnerServiceClient(hc, base, limit)
	c.ping = pingv1connect.NewPingServiceClient(hc, base, limit)
	return c
}

// NoRedirects is the CheckRedirect of the client's own HTTP client: a
// redirect is not followed but returned as an error naming its target,
// since following it would send the runner's token to wherever it points
// (Go's client keeps custom headers across hosts). Give it to an
// HTTPClient of your own for the same behaviour.
func NoRedirects(req *http.Request, _ []*http.Request) error {
	return &redirectError{to: RedactURL(req.URL.String())}
}

// redirectError is a redirect the client did not follow.
type redirectError struct{ to string }

func (e *redirectError) Error() string {
	return "the forge redirected the call to " + e.to
}

// Address is the forge's URL the client talks to.
func (c *ConnectClient) Address() string { return c.cfg.Address }

func checkAddress(address string) error {
	u, err := url.Parse(address)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("forge address %q is not an http:// or https:// URL: give the forge's base URL, e.g. https://forge.example", RedactURL(address))
	}
	return nil
}

// authorize sets the credential and version headers on a request.
func authorize[T any](c *ConnectClient, req *connect.Request[T]) *connect.Request[T] {
	if c.cfg.UUID != "" {
		req.Header().Set(HeaderUUID, c.cfg.UUID)
	}
	if c.cfg.Token != "" {
		req.Header().Set(HeaderToken, c.cfg.Token)
	}
	return versioned(c, req)
}

// versioned sets only the version header (Register and Ping).
func versioned[T any](c *ConnectClient, req *connect.Request[T]) *connect.Request[T] {
	if c.cfg.Version != "" {
		req.Header().Set(HeaderVersion, c.cfg.Version)
	}
	return req
}
