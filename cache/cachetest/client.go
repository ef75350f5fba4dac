// Package cachetest holds a cache client that follows @actions/cache's
// protocol as its toolkit implements it (packages/cache: cacheHttpClient.ts
// for v1, cacheTwirpClient.ts and the Azure Blob upload for v2), for tests
// of the cache server and of the jobs that reach it.
package cachetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Client is one job's cache client.
type Client struct {
	// CacheURL is ACTIONS_CACHE_URL (v1), with its trailing slash.
	CacheURL string
	// ResultsURL and Token are ACTIONS_RESULTS_URL and
	// ACTIONS_RUNTIME_TOKEN (v2; v1 sends the token too).
	ResultsURL string
	Token      string
	// HTTP is the transport (nil: http.DefaultClient).
	HTTP *http.Client
	// ChunkSize and Concurrency of v1 uploads (0: the toolkit's 32 MiB
	// and 4).
	ChunkSize   int64
	Concurrency int
	// SingleShotMax and BlockSize of v2 uploads (0: the toolkit's 128 MiB
	// and 64 MiB): larger archives go up in blocks.
	SingleShotMax int64
	BlockSize     int64
}

// Env returns a Client from a job's environment.
func Env(env map[string]string) *Client {
	return &Client{CacheURL: env["ACTIONS_CACHE_URL"], ResultsURL: env["ACTIONS_RESULTS_URL"], Token: env["ACTIONS_RUNTIME_TOKEN"]}
}

// HTTPError is a non-2xx answer: the status and the server's message.
type HTTPError struct {
	Op      string
	Status  int
	Message string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("%s: cache service responded with %d: %s", e.Op, e.Status, e.Message)
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// do sends a request with the toolkit's headers and returns the response
// of a 2xx status; other statuses become an *HTTPError.
func (c *Client) do(ctx context.Context, op, method, u string, body io.Reader, hdr map[string]string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json;api-version=6.0-preview.1")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if l, ok := body.(interface{ Len() int }); ok {
		req.ContentLength = int64(l.Len())
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var m struct{ Message, Msg string }
		msg := strings.TrimSpace(string(b))
		if json.Unmarshal(b, &m) == nil && m.Message+m.Msg != "" {
			msg = m.Message + m.Msg
		}
		return nil, &HTTPError{Op: op, Status: resp.StatusCode, Message: msg}
	}
	return resp, nil
}

func (c *Client) doJSON(ctx context.Context, op, method, u string, in, out any) (int, error) {
	var body io.Reader
	hdr := map[string]string{}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
		hdr["Content-Type"] = "application/json"
	}
	resp, err := c.do(ctx, op, method, u, body, hdr)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s: decoding the answer: %w", op, err)
		}
	}
	return resp.StatusCode, nil
}

// Entry is what a v1 lookup returns.
type Entry struct {
	CacheKey        string `json:"cacheKey"`
	Scope           string `json:"scope"`
	CacheVersion    string `json:"cacheVersion"`
	CreationTime    string `json:"creationTime"`
	ArchiveLocation string `json:"archiveLocation"`
}

// LookupV1 is getCacheEntry: the entry keys (primary first) restore, or
// nil on a miss (204).
func (c *Client) LookupV1(ctx context.Context, keys []string, version string) (*Entry, error) {
	u := c.CacheURL + "_apis/artifactcache/cache?keys=" + url.QueryEscape(strings.Join(keys, ",")) + "&version=" + version
	var e Entry
	code, err := c.doJSON(ctx, "getCacheEntry", http.MethodGet, u, nil, &e)
	if err != nil || code == http.StatusNoContent {
		return nil, err
	}
	if e.ArchiveLocation == "" {
		return nil, errors.New("getCacheEntry: cache not found (no archiveLocation)")
	}
	return &e, nil
}

// ReserveV1 is reserveCache: the id to upload to.
func (c *Client) ReserveV1(ctx context.Context, key, version string, size int64) (uint64, error) {
	var out struct {
		CacheID uint64 `json:"cacheId"`
	}
	in := map[string]any{"key": key, "version": version, "cacheSize": size}
	if _, err := c.doJSON(ctx, "reserveCache", http.MethodPost, c.CacheURL+"_apis/artifactcache/caches", in, &out); err != nil {
		return 0, err
	}
	return out.CacheID, nil
}

// SaveV1 is saveCache over v1: reserve, upload the archive in chunks
// with Content-Range (Concurrency at a time), commit with its size.
func (c *Client) SaveV1(ctx context.Context, key, version, archive string) (uint64, error) {
	fi, err := os.Stat(archive)
	if err != nil {
		return 0, err
	}
	size := fi.Size()
	id, err := c.ReserveV1(ctx, key, version, size)
	if err != nil {
		return 0, err
	}
	if err := c.UploadV1(ctx, id, archive); err != nil {
		return id, err
	}
	return id, c.CommitV1(ctx, id, size)
}

// UploadV1 is uploadFile: PATCH chunks of the archive to cache id.
func (c *Client) UploadV1(ctx context.Context, id uint64, archive string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	chunk, workers := c.ChunkSize, c.Concurrency
	if chunk <= 0 {
		chunk = 32 << 20
	}
	if workers <= 0 {
		workers = 4
	}
	u := c.CacheURL + "_apis/artifactcache/caches/" + strconv.FormatUint(id, 10)
	var (
		mu     sync.Mutex
		offset int64
		first  error
		wg     sync.WaitGroup
	)
	next := func() (int64, bool) {
		mu.Lock()
		defer mu.Unlock()
		if offset >= fi.Size() || first != nil {
			return 0, false
		}
		start := offset
		offset += chunk
		return start, true
	}
	for range workers {
		wg.Go(func() {
			for {
				start, ok := next()
				if !ok {
					return
				}
				end := min(start+chunk, fi.Size()) - 1
				resp, err := c.do(ctx, "uploadChunk", http.MethodPatch, u, io.NewSectionReader(f, start, end-start+1), map[string]string{
					"Content-Type":  "application/octet-stream",
					"Content-Range": fmt.Sprintf("bytes %d-%d/*", start, end),
				})
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// CommitV1 is commitCache.
func (c *Client) CommitV1(ctx context.Context, id uint64, size int64) error {
	_, err := c.doJSON(ctx, "commitCache", http.MethodPost, c.CacheURL+"_apis/artifactcache/caches/"+strconv.FormatUint(id, 10), map[string]int64{"size": size}, nil)
	return err
}

// RestoreV1 is restoreCache over v1: look keys up and download the hit to
// dst. It returns the matched key, or "" on a miss.
func (c *Client) RestoreV1(ctx context.Context, keys []string, version, dst string) (string, error) {
	e, err := c.LookupV1(ctx, keys, version)
	if err != nil || e == nil {
		return "", err
	}
	return e.CacheKey, c.Download(ctx, e.ArchiveLocation, dst)
}

// Download is downloadCacheHttpClient: a plain GET of the signed URL,
// without the token, checked against Content-Length.
func (c *Client) Download(ctx context.Context, u, dst string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return fmt.Errorf("downloadCache: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return &HTTPError{Op: "downloadCache", Status: resp.StatusCode, Message: strings.TrimSpace(string(b))}
	}
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("downloadCache: incomplete download: expected %d bytes, got %d", resp.ContentLength, n)
	}
	return err
}
