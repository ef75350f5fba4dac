package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"codeberg.org/anvil-ci/anvil/artifacts/artifactclient"
)

// prober sends requests of both artifact APIs, the usual ones and the ones
// a server must refuse, and prints one line per request: its name, the
// status and the shape of the reply (the keys of JSON objects and the
// types of their values, or a text reply as it is). Two servers that
// speak the same protocol print the same lines, whatever their ids, URLs
// and times.
type prober struct {
	ctx  context.Context
	out  io.Writer
	env  func(string) string
	v3   string // the v3 artifacts URL of the run
	v4   string // the twirp ArtifactService URL
	run  string // the v4 backend ids of the token
	job  string
	fail error
}

// runProbe probes the artifact server of the job's environment.
func runProbe(ctx context.Context, out io.Writer, getenv func(string) string) error {
	c, err := artifactclient.FromEnv(getenv)
	if err != nil {
		return err
	}
	results, err := url.Parse(c.ResultsURL)
	if err != nil || results.Host == "" {
		return fmt.Errorf("ACTIONS_RESULTS_URL %q is not a URL", c.ResultsURL)
	}
	p := &prober{
		ctx: ctx, out: out, env: getenv,
		v3: c.RuntimeURL + "_apis/pipelines/workflows/" + c.RunID + "/artifacts",
		v4: results.Scheme + "://" + results.Host + "/twirp/github.actions.results.api.v1.ArtifactService/",
	}
	if p.run, p.job, err = backendIDs(c.Token); err != nil {
		return err
	}
	p.probeV3(c.RunID)
	p.probeV4()
	return p.fail
}

// backendIDs reads the run and job ids from the scp claim of the token,
// as @actions/artifact 2.x does.
func backendIDs(token string) (string, string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", "", errors.New("the runtime token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", "", err
	}
	var claims struct{ Scp string }
	if err := json.Unmarshal(raw, &claims); err != nil {
		return "", "", err
	}
	for _, s := range strings.Fields(claims.Scp) {
		if f := strings.Split(s, ":"); len(f) == 3 && f[0] == "Actions.Results" {
			return f[1], f[2], nil
		}
	}
	return "", "", errors.New("the runtime token has no Actions.Results scope")
}

// request is one probe request; token "-" sends no Authorization.
type request struct {
	name, method, url string
	body              []byte
	header            map[string]string
	token             string
}

// send sends r, prints its line and returns the reply's status and body.
func (p *prober) send(r request) (int, []byte) {
	req, err := http.NewRequestWithContext(p.ctx, r.method, r.url, bytes.NewReader(r.body))
	if err != nil {
		p.fail = errors.Join(p.fail, err)
		return 0, nil
	}
	switch r.token {
	case "":
		req.Header.Set("Authorization", "Bearer "+p.env("ACTIONS_RUNTIME_TOKEN"))
	case "-":
	default:
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.fail = errors.Join(p.fail, fmt.Errorf("probe %s: %w", r.name, err))
		return 0, nil
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		p.fail = errors.Join(p.fail, fmt.Errorf("probe %s: %w", r.name, err))
	}
	fmt.Fprintf(p.out, "probe %s: %d %s\n", r.name, resp.StatusCode, shape(body))
	return resp.StatusCode, body
}

// twirp calls an ArtifactService method with the token's backend ids.
func (p *prober) twirp(name, method string, fields map[string]any, token string) (int, []byte) {
	fields["workflow_run_backend_id"], fields["workflow_job_run_backend_id"] = p.run, p.job
	body, _ := json.Marshal(fields) // strings and numbers always marshal
	return p.send(request{name: name, method: http.MethodPost, url: p.v4 + method, body: body,
		header: map[string]string{"Content-Type": "application/json"}, token: token})
}

// shape is the shape of a reply: JSON as keys and value types, text as it
// is (at most 100 bytes), nothing as "empty".
func shape(body []byte) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return "empty"
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t := strings.TrimSpace(string(body))
		if len(t) > 100 {
			t = t[:100] + "..."
		}
		return "text " + strconv.Quote(t)
	}
	if s, ok := v.(string); ok {
		return "json " + strconv.Quote(s)
	}
	return "json " + jsonShape(v)
}

func jsonShape(v any) string {
	switch t := v.(type) {
	case map[string]any:
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range t {
				if !yield(k) {
					return
				}
			}
		})
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ":" + jsonShape(t[k])
		}
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		if len(t) == 0 {
			return "[]"
		}
		return "[" + strconv.Itoa(len(t)) + "x" + jsonShape(t[0]) + "]"
	case string:
		return "str"
	case float64:
		return "num"
	case bool:
		return strconv.FormatBool(t)
	}
	return "null"
}

// probeV3 creates, uploads, finalizes, lists and downloads artifact
// probe-v3 (one file, x.txt), with the mistakes in between.
func (p *prober) probeV3(runID string) {
	const q = "?api-version=6.0-preview"
	content := []byte("probe")
	p.send(request{name: "v3 list without a token", method: http.MethodGet, url: p.v3 + q, token: "-"})
	p.send(request{name: "v3 list with a forged token", method: http.MethodGet, url: p.v3 + q, token: "forged"})
	other, _ := strconv.ParseInt(runID, 10, 64)
	p.send(request{name: "v3 list of another run", method: http.MethodGet, url: strings.Replace(p.v3, "/workflows/"+runID+"/", "/workflows/"+strconv.FormatInt(other+1, 10)+"/", 1) + q})
	_, body := p.send(request{name: "v3 create", method: http.MethodPost, url: p.v3 + q,
		body: []byte(`{"Type":"actions_storage","Name":"probe-v3"}`), header: map[string]string{"Content-Type": "application/json"}})
	var created struct {
		FileContainerResourceURL string `json:"fileContainerResourceUrl"`
	}
	if err := json.Unmarshal(body, &created); err != nil || created.FileContainerResourceURL == "" {
		p.fail = errors.Join(p.fail, fmt.Errorf("probe v3 create: no fileContainerResourceUrl in %.200q", body))
		return
	}
	upload := created.FileContainerResourceURL + "?itemPath=" + url.QueryEscape("probe-v3/x.txt")
	sum := md5.Sum(content)
	wrong := md5.Sum([]byte("wrong"))
	header := func(md5sum []byte, rng bool) map[string]string {
		h := map[string]string{"Content-Type": "application/octet-stream", "x-tfs-filelength": "5", "x-actions-results-md5": base64.StdEncoding.EncodeToString(md5sum)}
		if rng {
			h["Content-Range"] = "bytes 0-4/5"
		}
		return h
	}
	p.send(request{name: "v3 upload with a wrong md5", method: http.MethodPut, url: upload, body: content, header: header(wrong[:], true)})
	p.send(request{name: "v3 upload without Content-Range", method: http.MethodPut, url: upload, body: content, header: header(sum[:], false)})
	p.send(request{name: "v3 upload", method: http.MethodPut, url: upload, body: content, header: header(sum[:], true)})
	p.send(request{name: "v3 finalize of an unknown name", method: http.MethodPatch, url: p.v3 + q + "&artifactName=nope", body: []byte(`{"Size":5}`)})
	p.send(request{name: "v3 finalize", method: http.MethodPatch, url: p.v3 + q + "&artifactName=probe-v3", body: []byte(`{"Size":5}`)})
	_, body = p.send(request{name: "v3 list", method: http.MethodGet, url: p.v3 + q})
	var list struct {
		Value []struct {
			Name string `json:"name"`
			URL  string `json:"fileContainerResourceUrl"`
		} `json:"value"`
	}
	_ = json.Unmarshal(body, &list)
	i := slices.IndexFunc(list.Value, func(v struct {
		Name string `json:"name"`
		URL  string `json:"fileContainerResourceUrl"`
	}) bool {
		return v.Name == "probe-v3"
	})
	if i < 0 {
		p.fail = errors.Join(p.fail, fmt.Errorf("probe v3 list: no probe-v3 in %.300q", body))
		return
	}
	_, body = p.send(request{name: "v3 files", method: http.MethodGet, url: list.Value[i].URL + "?itemPath=probe-v3"})
	var files struct {
		Value []struct {
			Location string `json:"contentLocation"`
		} `json:"value"`
	}
	if err := json.Unmarshal(body, &files); err != nil || len(files.Value) != 1 {
		p.fail = errors.Join(p.fail, fmt.Errorf("probe v3 files: want one file in %.300q", body))
		return
	}
	p.send(request{name: "v3 files of an unknown hash", method: http.MethodGet, url: p.v3 + "/0123456789abcdef/download_url?itemPath=probe-v3"})
	p.send(request{name: "v3 download of an unknown id", method: http.MethodGet, url: p.v3 + "/999999/download?itemPath=probe-v3"})
	p.send(request{name: "v3 download", method: http.MethodGet, url: files.Value[0].Location})
}

// probeV4 creates, uploads in blocks, finalizes, lists, downloads and
// deletes artifact probe-v4, with the mistakes in between.
func (p *prober) probeV4() {
	p.twirp("v4 list with a forged token", "ListArtifacts", map[string]any{}, "forged")
	p.twirp("v4 list of a missing name", "ListArtifacts", map[string]any{"name_filter": "nope"}, "")
	p.twirp("v4 signed URL of a missing name", "GetSignedArtifactURL", map[string]any{"name": "nope"}, "")
	p.twirp("v4 finalize of a missing name", "FinalizeArtifact", map[string]any{"name": "nope", "size": "5"}, "")
	p.twirp("v4 delete of a missing name", "DeleteArtifact", map[string]any{"name": "nope"}, "")
	p.send(request{name: "v4 unknown method", method: http.MethodPost, url: p.v4 + "Nope", body: []byte("{}"), header: map[string]string{"Content-Type": "application/json"}})
	// A finalize with a wrong hash, then with the right one.
	if u := p.v4Upload("probe-v4-bad", "block-bad"); u != "" {
		sum := sha256.Sum256([]byte("probe"))
		p.twirp("v4 finalize with a wrong hash", "FinalizeArtifact", map[string]any{"name": "probe-v4-bad", "size": "5", "hash": "sha256:" + strings.Repeat("0", 64)}, "")
		p.twirp("v4 finalize after a wrong hash", "FinalizeArtifact", map[string]any{"name": "probe-v4-bad", "size": "5", "hash": "sha256:" + hex.EncodeToString(sum[:])}, "")
	}
	if p.v4Upload("probe-v4", "block-0") == "" {
		return
	}
	sum := sha256.Sum256([]byte("probe"))
	p.twirp("v4 finalize", "FinalizeArtifact", map[string]any{"name": "probe-v4", "size": "5", "hash": "sha256:" + hex.EncodeToString(sum[:])}, "")
	p.twirp("v4 list", "ListArtifacts", map[string]any{"name_filter": "probe-v4"}, "")
	_, body := p.twirp("v4 signed URL", "GetSignedArtifactURL", map[string]any{"name": "probe-v4"}, "")
	var signed struct {
		SignedURL string `json:"signedUrl"`
	}
	if err := json.Unmarshal(body, &signed); err != nil || signed.SignedURL == "" {
		p.fail = errors.Join(p.fail, fmt.Errorf("probe v4 signed URL: no signedUrl in %.200q", body))
		return
	}
	p.send(request{name: "v4 download with a forged signature", method: http.MethodGet, url: forge(signed.SignedURL), token: "-"})
	p.send(request{name: "v4 download", method: http.MethodGet, url: signed.SignedURL, token: "-"})
	p.twirp("v4 create of a finalized name", "CreateArtifact", map[string]any{"name": "probe-v4", "version": 4}, "")
	p.twirp("v4 list after creating it again", "ListArtifacts", map[string]any{"name_filter": "probe-v4"}, "")
	p.twirp("v4 delete", "DeleteArtifact", map[string]any{"name": "probe-v4"}, "")
	p.twirp("v4 list after the delete", "ListArtifacts", map[string]any{"name_filter": "probe-v4"}, "")
}

// v4Upload creates artifact name and uploads "probe" to it as one block,
// with a forged signature in between; it returns the signed upload URL,
// or "" when there is none.
func (p *prober) v4Upload(name, blockID string) string {
	_, body := p.twirp("v4 create", "CreateArtifact", map[string]any{"name": name, "version": 4}, "")
	var created struct {
		SignedUploadURL string `json:"signedUploadUrl"`
	}
	if err := json.Unmarshal(body, &created); err != nil || created.SignedUploadURL == "" {
		p.fail = errors.Join(p.fail, fmt.Errorf("probe v4 create: no signedUploadUrl in %.200q", body))
		return ""
	}
	u := created.SignedUploadURL
	block := url.QueryEscape(base64.StdEncoding.EncodeToString([]byte(name + "-" + blockID)))
	p.send(request{name: "v4 upload a block", method: http.MethodPut, url: u + "&comp=block&blockid=" + block, body: []byte("probe"), token: "-",
		header: map[string]string{"x-ms-blob-type": "BlockBlob"}})
	p.send(request{name: "v4 upload with a forged signature", method: http.MethodPut, url: forge(u) + "&comp=block&blockid=" + block, body: []byte("probe"), token: "-"})
	p.send(request{name: "v4 commit the block list", method: http.MethodPut, url: u + "&comp=blocklist", token: "-",
		body: []byte(`<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>` + base64.StdEncoding.EncodeToString([]byte(name+"-"+blockID)) + `</Latest></BlockList>`)})
	return u
}

// forge changes the last character of the sig parameter of a signed URL.
func forge(signed string) string {
	u, err := url.Parse(signed)
	if err != nil {
		return signed
	}
	q := u.Query()
	sig := q.Get("sig")
	if sig == "" {
		return signed
	}
	last := "A"
	if strings.HasSuffix(sig, "A") {
		last = "B"
	}
	q.Set("sig", sig[:len(sig)-1]+last)
	u.RawQuery = q.Encode()
	return u.String()
}
