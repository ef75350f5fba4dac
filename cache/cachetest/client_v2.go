package cachetest

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
)

// The v2 client's upload settings (saveCacheV2 and uploadCacheArchiveSDK).
const (
	maxSingleShot = 128 << 20
	v2BlockSize   = 64 << 20
	v2Workers     = 8
)

// twirp calls a CacheService method with JSON twirp; the request is
// written with proto field names, as the generated client does.
func (c *Client) twirp(ctx context.Context, method string, in map[string]any, out any) error {
	base, err := url.Parse(c.ResultsURL)
	if err != nil {
		return err
	}
	u := base.ResolveReference(&url.URL{Path: "/twirp/github.actions.results.api.v1.CacheService/" + method})
	_, err = c.doJSON(ctx, method, http.MethodPost, u.String(), in, out)
	return err
}

// SaveV2 is saveCacheV2: CreateCacheEntry, the upload to the signed URL
// as Azure's BlockBlobClient.uploadFile makes it, FinalizeCacheEntryUpload.
// A refused CreateCacheEntry is an *HTTPError (409 for an existing key).
func (c *Client) SaveV2(ctx context.Context, key, version, archive string) (string, error) {
	var created struct {
		Ok              bool   `json:"ok"`
		SignedUploadURL string `json:"signedUploadUrl"`
		Message         string `json:"message"`
	}
	if err := c.twirp(ctx, "CreateCacheEntry", map[string]any{"key": key, "version": version}, &created); err != nil {
		return "", err
	}
	if !created.Ok {
		return "", fmt.Errorf("CreateCacheEntry: %s", created.Message)
	}
	fi, err := os.Stat(archive)
	if err != nil {
		return "", err
	}
	if err := c.uploadBlob(ctx, created.SignedUploadURL, archive, fi.Size()); err != nil {
		return "", err
	}
	var fin struct {
		Ok      bool   `json:"ok"`
		EntryID string `json:"entryId"`
		Message string `json:"message"`
	}
	in := map[string]any{"key": key, "version": version, "size_bytes": strconv.FormatInt(fi.Size(), 10)}
	if err := c.twirp(ctx, "FinalizeCacheEntryUpload", in, &fin); err != nil {
		return "", err
	}
	if !fin.Ok {
		return "", fmt.Errorf("FinalizeCacheEntryUpload: %s", fin.Message)
	}
	return fin.EntryID, nil
}

// uploadBlob uploads like Azure's uploadFile: one Put Blob up to 128 MiB,
// else Put Block of 64 MiB blocks (8 at a time) and a Put Block List.
func (c *Client) uploadBlob(ctx context.Context, signed, archive string, size int64) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	put := func(u string, body io.Reader, n int64, hdr map[string]string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, body)
		if err != nil {
			return err
		}
		req.ContentLength = n
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := c.http().Do(req)
		if err != nil {
			return fmt.Errorf("uploadCacheArchiveSDK: %w", err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if resp.StatusCode != http.StatusCreated {
			return &HTTPError{Op: "uploadCacheArchiveSDK", Status: resp.StatusCode, Message: strings.TrimSpace(string(b))}
		}
		return nil
	}
	single, block := c.SingleShotMax, c.BlockSize
	if single <= 0 {
		single = maxSingleShot
	}
	if block <= 0 {
		block = v2BlockSize
	}
	if size <= single {
		return put(signed, io.NewSectionReader(f, 0, size), size, map[string]string{"x-ms-blob-type": "BlockBlob"})
	}
	n := int((size + block - 1) / block)
	ids := make([]string, n)
	jobs := make(chan int)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range v2Workers {
		wg.Go(func() {
			for i := range jobs {
				ids[i] = base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "anvil-%06d", i))
				start := int64(i) * block
				k := min(block, size-start)
				u := signed + "&comp=block&blockid=" + url.QueryEscape(ids[i])
				if err := put(u, io.NewSectionReader(f, start, k), k, nil); err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if first != nil {
		return first
	}
	var list bytes.Buffer
	list.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><BlockList>`)
	for _, id := range ids {
		list.WriteString("<Latest>" + id + "</Latest>")
	}
	list.WriteString("</BlockList>")
	return put(signed+"&comp=blocklist", &list, int64(list.Len()), map[string]string{"Content-Type": "application/xml"})
}

// RestoreV2 is restoreCacheV2: GetCacheEntryDownloadURL and the download
// of the hit to dst. It returns the matched key, or "" on a miss.
func (c *Client) RestoreV2(ctx context.Context, key string, restoreKeys []string, version, dst string) (string, error) {
	var out struct {
		Ok                bool   `json:"ok"`
		SignedDownloadURL string `json:"signedDownloadUrl"`
		MatchedKey        string `json:"matchedKey"`
	}
	in := map[string]any{"key": key, "restore_keys": restoreKeys, "version": version}
	if err := c.twirp(ctx, "GetCacheEntryDownloadURL", in, &out); err != nil {
		return "", err
	}
	if !out.Ok {
		return "", nil
	}
	return out.MatchedKey, c.Download(ctx, out.SignedDownloadURL, dst)
}
