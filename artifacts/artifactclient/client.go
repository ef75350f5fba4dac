package artifactclient

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Client is one job's view of the artifact server.
type Client struct {
	RuntimeURL string // ACTIONS_RUNTIME_URL (v3), ending in a slash
	ResultsURL string // ACTIONS_RESULTS_URL (v4)
	Token      string // ACTIONS_RUNTIME_TOKEN
	RunID      string // GITHUB_RUN_ID (v3)
	// HTTP is the client to use (default http.DefaultClient).
	HTTP *http.Client
	// ChunkSize is the size of v3 chunks and v4 blocks (default 8 MiB, as
	// @actions/artifact).
	ChunkSize int64
	// Gzip makes v3 uploads gzip-encode every file, as @actions/artifact
	// 1.x does when that makes it smaller.
	Gzip bool
}

// FromEnv makes a Client from a job's environment.
func FromEnv(getenv func(string) string) (*Client, error) {
	c := &Client{
		RuntimeURL: getenv("ACTIONS_RUNTIME_URL"), ResultsURL: getenv("ACTIONS_RESULTS_URL"),
		Token: getenv("ACTIONS_RUNTIME_TOKEN"), RunID: getenv("GITHUB_RUN_ID"),
	}
	if c.Token == "" {
		return nil, errors.New("ACTIONS_RUNTIME_TOKEN is not set: the runner gives it to every job that can reach an artifact server")
	}
	return c, nil
}

// HTTPError is a reply with an unexpected status.
type HTTPError struct {
	Method, URL string
	Status      int
	Body        string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.URL, e.Status, strings.TrimSpace(e.Body))
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

func (c *Client) chunkSize() int64 {
	if c.ChunkSize > 0 {
		return c.ChunkSize
	}
	return 8 << 20
}

// do sends a request and fails on a status outside 2xx; the caller closes
// the body of a reply it gets.
func (c *Client) do(req *http.Request, auth bool) (*http.Response, error) {
	if auth {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		_ = resp.Body.Close()
		return nil, &HTTPError{Method: req.Method, URL: req.URL.Path, Status: resp.StatusCode, Body: string(body)}
	}
	return resp, nil
}

// doJSON sends v (when not nil) as JSON and decodes the reply into out
// (when not nil).
func (c *Client) doJSON(ctx context.Context, method, url string, v, out any) error {
	var body io.Reader
	if v != nil {
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json;api-version=6.0-preview")
	resp, err := c.do(req, true)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// backendIDs are the run and job ids @actions/artifact 2.x reads from the
// token's scp claim ("Actions.Results:RUN:JOB").
func (c *Client) backendIDs() (run, job string, err error) {
	parts := strings.Split(c.Token, ".")
	if len(parts) != 3 {
		return "", "", errors.New("the runtime token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", "", fmt.Errorf("decoding the runtime token: %w", err)
	}
	var claims struct {
		Scp string `json:"scp"`
	}
	if err := json.Unmarshal(raw, &claims); err != nil {
		return "", "", fmt.Errorf("decoding the runtime token: %w", err)
	}
	for _, scope := range strings.Split(claims.Scp, " ") {
		f := strings.Split(scope, ":")
		if f[0] == "Actions.Results" && len(f) == 3 {
			return f[1], f[2], nil
		}
	}
	return "", "", errors.New("the runtime token has no Actions.Results scope")
}
