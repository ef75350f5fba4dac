package artifactclient

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

const twirpService = "/twirp/github.actions.results.api.v1.ArtifactService/"

// twirp calls an ArtifactService method as @actions/artifact 2.x: at the
// origin of ACTIONS_RESULTS_URL, fields by their proto names.
func (c *Client) twirp(ctx context.Context, method string, req map[string]any, out any) error {
	u, err := url.Parse(c.ResultsURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("ACTIONS_RESULTS_URL %q is not a URL", c.ResultsURL)
	}
	run, job, err := c.backendIDs()
	if err != nil {
		return err
	}
	req["workflow_run_backend_id"], req["workflow_job_run_backend_id"] = run, job
	if err := c.doJSON(ctx, http.MethodPost, u.Scheme+"://"+u.Host+twirpService+method, req, out); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return nil
}

// UploadV4 uploads content (a zip, as upload-artifact@v4 makes) as
// artifact name and returns its id. retention 0 leaves the server's
// default.
func (c *Client) UploadV4(ctx context.Context, name string, content io.Reader, retention time.Duration) (int64, error) {
	create := map[string]any{"name": name, "version": 4}
	if retention > 0 {
		create["expires_at"] = time.Now().Add(retention).UTC().Format(time.RFC3339Nano)
	}
	var created struct {
		Ok              bool   `json:"ok"`
		SignedUploadURL string `json:"signedUploadUrl"`
	}
	if err := c.twirp(ctx, "CreateArtifact", create, &created); err != nil {
		return 0, err
	}
	if !created.Ok || created.SignedUploadURL == "" {
		return 0, errors.New("CreateArtifact: the reply is not ok")
	}
	hash := sha256.New()
	size, err := c.putBlocks(ctx, created.SignedUploadURL, io.TeeReader(content, hash))
	if err != nil {
		return 0, fmt.Errorf("uploading artifact %s: %w", name, err)
	}
	var final struct {
		Ok         bool   `json:"ok"`
		ArtifactID string `json:"artifactId"`
	}
	err = c.twirp(ctx, "FinalizeArtifact", map[string]any{
		"name": name, "size": strconv.FormatInt(size, 10), "hash": "sha256:" + hex.EncodeToString(hash.Sum(nil)),
	}, &final)
	if err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(final.ArtifactID, 10, 64)
	if !final.Ok || err != nil {
		return 0, fmt.Errorf("FinalizeArtifact: the reply is not ok or has no artifactId: %q", final.ArtifactID)
	}
	return id, nil
}

// putBlocks stages content as blocks and commits them, as Azure's
// BlockBlobClient.uploadStream does.
func (c *Client) putBlocks(ctx context.Context, signed string, content io.Reader) (int64, error) {
	buf := make([]byte, c.chunkSize())
	var ids []string
	var size int64
	for i := 0; ; i++ {
		n, err := io.ReadFull(content, buf)
		if n > 0 || i == 0 {
			id := base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "block-%08d", i))
			if err := c.put(ctx, signed+"&comp=block&blockid="+url.QueryEscape(id), bytes.NewReader(buf[:n]), int64(n)); err != nil {
				return 0, err
			}
			ids = append(ids, id)
			size += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	list, err := xml.Marshal(struct {
		XMLName xml.Name `xml:"BlockList"`
		Latest  []string `xml:"Latest"`
	}{Latest: ids})
	if err != nil {
		return 0, err
	}
	list = append([]byte(xml.Header), list...)
	return size, c.put(ctx, signed+"&comp=blocklist", bytes.NewReader(list), int64(len(list)))
}

func (c *Client) put(ctx context.Context, u string, body io.Reader, n int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, body)
	if err != nil {
		return err
	}
	req.ContentLength = n
	if n == 0 {
		req.Body = http.NoBody
	}
	req.Header.Set("x-ms-version", "2024-11-04")
	resp, err := c.do(req, false)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("PUT %s: HTTP %d, want 201 as blob storage answers", req.URL.Path, resp.StatusCode)
	}
	return nil
}

// UploadV4Dir zips every regular file under root (paths relative to it)
// and uploads the zip as artifact name.
func (c *Client) UploadV4Dir(ctx context.Context, name, root string) (int64, error) {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(zipDir(pw, root)) }()
	id, err := c.UploadV4(ctx, name, pr, 0)
	_ = pr.CloseWithError(errors.New("upload ended"))
	return id, err
}

func zipDir(w io.Writer, root string) error {
	zw := zip.NewWriter(w)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }()
		zf, err := zw.Create(filepath.ToSlash(rel))
		if err == nil {
			_, err = io.Copy(zf, f)
		}
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}

// V4Artifact is one entry of ListArtifacts.
type V4Artifact struct {
	DatabaseID string `json:"databaseId"`
	Name       string `json:"name"`
	Size       string `json:"size"`
	CreatedAt  string `json:"createdAt"`
}

// ListV4 lists the run's artifacts; name, when not empty, filters.
func (c *Client) ListV4(ctx context.Context, name string) ([]V4Artifact, error) {
	req := map[string]any{}
	if name != "" {
		req["name_filter"] = name
	}
	var list struct {
		Artifacts []V4Artifact `json:"artifacts"`
	}
	if err := c.twirp(ctx, "ListArtifacts", req, &list); err != nil {
		return nil, err
	}
	return list.Artifacts, nil
}

// DownloadV4 writes the content of artifact name to w.
func (c *Client) DownloadV4(ctx context.Context, name string, w io.Writer) error {
	var signed struct {
		SignedURL string `json:"signedUrl"`
	}
	if err := c.twirp(ctx, "GetSignedArtifactURL", map[string]any{"name": name}, &signed); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, signed.SignedURL, nil)
	if err != nil {
		return err
	}
	resp, err := c.do(req, false)
	if err != nil {
		return fmt.Errorf("downloading artifact %s: %w", name, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("downloading artifact %s: HTTP %d, want 200", name, resp.StatusCode)
	}
	_, err = io.Copy(w, resp.Body)
	return err
}

// DeleteV4 deletes artifact name.
func (c *Client) DeleteV4(ctx context.Context, name string) error {
	var out struct {
		Ok bool `json:"ok"`
	}
	if err := c.twirp(ctx, "DeleteArtifact", map[string]any{"name": name}, &out); err != nil {
		return err
	}
	if !out.Ok {
		return errors.New("DeleteArtifact: the reply is not ok")
	}
	return nil
}
