package argocd

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ClientConfig configures a Client.
type ClientConfig struct {
	// Server is Argo CD's address: https://argocd.example.com, or a bare
	// host[:port] meaning https. Use http:// for a plain-text server.
	Server string
	// Token is the bearer token (an API token, or one from Login).
	Token string
	// Insecure skips TLS certificate verification.
	Insecure bool
	// RequestTimeout bounds each request. Default 30s.
	RequestTimeout time.Duration
	// UserAgent is sent with every request. Default "anvil".
	UserAgent string
	// Transport is the HTTP transport. Default: Go's, with Insecure.
	Transport http.RoundTripper
}

// Client talks to Argo CD's REST API.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
	agent string
}

// NewClient checks cfg and returns a Client.
func NewClient(cfg ClientConfig) (*Client, error) {
	server := strings.TrimSpace(cfg.Server)
	if server == "" {
		return nil, fmt.Errorf("no Argo CD server given: set server to its address, e.g. https://argocd.example.com")
	}
	if !strings.Contains(server, "://") {
		server = "https://" + server
	}
	base, err := url.Parse(strings.TrimRight(server, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("server %q is not an http(s) address: give e.g. https://argocd.example.com", cfg.Server)
	}
	if base.User != nil {
		return nil, fmt.Errorf("server address must not hold credentials: pass a token or username and password instead")
	}
	rt := cfg.Transport
	if rt == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if cfg.Insecure {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // asked for with insecure: true
		}
		rt = t
	}
	timeout := cfg.RequestTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	agent := cfg.UserAgent
	if agent == "" {
		agent = "anvil"
	}
	return &Client{base: base, token: cfg.Token, http: &http.Client{Transport: rt, Timeout: timeout}, agent: agent}, nil
}

// Server is the base address the client talks to.
func (c *Client) Server() string {
	return c.base.String()
}

// SetToken sets the bearer token for the following requests.
func (c *Client) SetToken(token string) {
	c.token = token
}

// AppRef names an application, optionally in a namespace other than
// Argo CD's own ("apps-in-any-namespace").
type AppRef struct {
	Namespace string
	Name      string
}

// ParseAppRef reads "name" or "namespace/name".
func ParseAppRef(s string) (AppRef, error) {
	s = strings.TrimSpace(s)
	ns, name, found := strings.Cut(s, "/")
	if !found {
		ns, name = "", s
	}
	if name == "" || strings.Contains(name, "/") || (found && ns == "") {
		return AppRef{}, fmt.Errorf("application %q: give its name, or namespace/name", s)
	}
	return AppRef{Namespace: ns, Name: name}, nil
}

func (r AppRef) String() string {
	if r.Namespace == "" {
		return r.Name
	}
	return r.Namespace + "/" + r.Name
}

// do sends one request and decodes a 200 answer into out; other answers
// become *APIError, failures to talk become *netError.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = query.Encode()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding the %s %s request: %w", method, path, err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return fmt.Errorf("building %s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.agent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var certErr *tls.CertificateVerificationError
		if errors.As(err, &certErr) {
			return fmt.Errorf("%s %s: %w: the server's certificate is not trusted; fix it, or set insecure: true", method, u.Redacted(), err)
		}
		return &netError{fmt.Errorf("%s %s: %w", method, u.Redacted(), err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return &netError{fmt.Errorf("reading the answer to %s %s: %w", method, path, err)}
	}
	if resp.StatusCode != http.StatusOK {
		return apiError(method, path, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decoding the answer to %s %s (is %s Argo CD's API?): %w", method, path, c.base.Redacted(), err)
	}
	return nil
}

// apiError reads an error answer: Argo CD's runtimeError, or the start of
// whatever else came back.
func apiError(method, path string, status int, data []byte) *APIError {
	e := &APIError{Method: method, Path: path, Status: status}
	var re RuntimeError
	if json.Unmarshal(data, &re) == nil && (re.Message != "" || re.Error != "") {
		e.Code, e.Message = re.Code, re.Message
		if e.Message == "" {
			e.Message = re.Error
		}
		return e
	}
	text := strings.TrimSpace(string(data))
	if len(text) > 200 {
		text = text[:200] + "..."
	}
	e.Message = text
	return e
}

// Version reads the server's version (no authentication needed).
func (c *Client) Version(ctx context.Context) (*VersionMessage, error) {
	var v VersionMessage
	if err := c.do(ctx, http.MethodGet, "/api/version", nil, nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

// Login exchanges username and password for a session token, which the
// client then uses.
func (c *Client) Login(ctx context.Context, username, password string) (string, error) {
	var resp SessionResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/session", nil, SessionCreateRequest{Username: username, Password: password}, &resp)
	if err != nil {
		return "", fmt.Errorf("logging in to %s as %s: %w", c.base.Redacted(), username, err)
	}
	if resp.Token == "" {
		return "", fmt.Errorf("logging in to %s as %s: the answer holds no token", c.base.Redacted(), username)
	}
	c.token = resp.Token
	return resp.Token, nil
}

// Application reads an application; refresh "normal" or "hard" makes
// Argo CD compare it with git first.
func (c *Client) Application(ctx context.Context, app AppRef, refresh string) (*Application, error) {
	q := url.Values{}
	if refresh != "" {
		q.Set("refresh", refresh)
	}
	if app.Namespace != "" {
		q.Set("appNamespace", app.Namespace)
	}
	var a Application
	if err := c.do(ctx, http.MethodGet, "/api/v1/applications/"+url.PathEscape(app.Name), q, nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// Sync asks Argo CD to sync the application; it answers at once with the
// application holding the new operation.
func (c *Client) Sync(ctx context.Context, app AppRef, req SyncRequest) (*Application, error) {
	req.Name = app.Name
	req.AppNamespace = app.Namespace
	var a Application
	if err := c.do(ctx, http.MethodPost, "/api/v1/applications/"+url.PathEscape(app.Name)+"/sync", nil, req, &a); err != nil {
		return nil, err
	}
	return &a, nil
}
