package artifacts

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// The v3 API, as Gitea's routers/api/actions/artifacts.go serves it. One
// artifact is many records, one per file; a file arrives in chunks.

const (
	headerFileLength = "x-tfs-filelength"      // the file's size before gzip
	headerMD5        = "x-actions-results-md5" // base64 MD5 of the chunk
	maxJSONBody      = 1 << 20
)

// v3Auth checks the token and that the URL's run is the token's.
func (s *Server) v3Auth(w http.ResponseWriter, r *http.Request) (scope, bool) {
	id, ok := s.authorize(w, r, textError)
	if !ok {
		return scope{}, false
	}
	runID, err := strconv.ParseInt(r.PathValue("run_id"), 10, 64)
	if err != nil || runID != id.RunID {
		textError(w, http.StatusBadRequest, "run-id does not match")
		return scope{}, false
	}
	return id.scope(), true
}

// v3URL is a URL under the run's artifacts.
func (s *Server) v3URL(r *http.Request, runID int64, elem, suffix string) string {
	return fmt.Sprintf("%s%s_apis/pipelines/workflows/%d/artifacts/%s/%s", s.baseURL(r), V3Prefix, runID, elem, suffix)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

var v3Success = map[string]string{"message": "success"}

// v3Create answers the upload URL of an artifact (a "file container").
func (s *Server) v3Create(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.v3Auth(w, r)
	if !ok {
		return
	}
	var req struct {
		Type          string
		Name          string
		RetentionDays int64
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody)).Decode(&req); err != nil {
		textError(w, http.StatusBadRequest, "Error decode request body")
		return
	}
	// Gitea checks the name only with the first chunk; @actions/artifact
	// 1.x reports a 400 here as an invalid name.
	if err := validName(req.Name); err != nil {
		textError(w, http.StatusBadRequest, err.Error())
		return
	}
	suffix := "upload"
	if req.RetentionDays > 0 {
		suffix += "?retentionDays=" + strconv.FormatInt(req.RetentionDays, 10)
	}
	writeJSON(w, http.StatusOK, map[string]string{
		"fileContainerResourceUrl": s.v3URL(r, sc.runID, nameHash(req.Name), suffix),
	})
}

// v3Upload stores one chunk of one file: ?itemPath=NAME/PATH, Content-Range
// "bytes START-END/TOTAL", the chunk's MD5 in x-actions-results-md5.
func (s *Server) v3Upload(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.v3Auth(w, r)
	if !ok {
		return
	}
	itemPath := joinRel(r.URL.Query().Get("itemPath"))
	name, _, _ := strings.Cut(itemPath, "/")
	filePath := strings.TrimPrefix(itemPath, name+"/")
	if r.PathValue("artifact_hash") != nameHash(name) {
		textError(w, http.StatusBadRequest, "Invalid artifact hash")
		return
	}
	if err := validName(name); err != nil {
		textError(w, http.StatusBadRequest, err.Error())
		return
	}
	days := int64(s.cfg.RetentionDays)
	if q := r.URL.Query().Get("retentionDays"); q != "" {
		var err error
		if days, err = strconv.ParseInt(q, 10, 64); err != nil {
			textError(w, http.StatusBadRequest, "Error parse retention days")
			return
		}
	}
	var start, end, total int64
	if _, err := fmt.Sscanf(r.Header.Get("Content-Range"), "bytes %d-%d/%d", &start, &end, &total); err != nil ||
		start < 0 || end < start-1 || end >= total {
		textError(w, http.StatusInternalServerError, "Error save upload chunk") // Gitea's answer
		return
	}
	fileSize := total // Gitea takes the chunk's Content-Length: only shown, never served
	if n, _ := strconv.ParseInt(r.Header.Get(headerFileLength), 10, 64); n > 0 {
		fileSize = n
	}

	rec := s.store.createOrGet(sc, name, filePath, s.expiry(days))
	sum := md5.New()
	file, _, err := s.store.writePart(rec.id, r.Body, end-start+1, sum)
	if err == nil && r.Header.Get(headerMD5) != base64.StdEncoding.EncodeToString(sum.Sum(nil)) {
		err = errors.Join(errMD5, removeFile(file))
	}
	if err != nil {
		textError(w, http.StatusInternalServerError, "Error save upload chunk")
		return
	}
	s.store.addChunk(rec, part{start: start, end: end, file: file})
	s.store.mu.Lock()
	rec.fileSize, rec.compressedSize = fileSize, total
	rec.encoding = r.Header.Get("Content-Encoding")
	s.store.mu.Unlock()
	writeJSON(w, http.StatusOK, v3Success)
}

var errMD5 = errors.New("md5 not match")

// v3Confirm finalizes every file of ?artifactName= whose chunks are all
// there; a file still missing chunks stays unconfirmed, as on Gitea.
func (s *Server) v3Confirm(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.v3Auth(w, r)
	if !ok {
		return
	}
	name := r.URL.Query().Get("artifactName")
	if name == "" {
		textError(w, http.StatusBadRequest, "Error artifact name is empty")
		return
	}
	for _, rec := range s.store.find(sc, func(rec *record) bool { return rec.name == name }) {
		if err := s.confirmChunks(rec); err != nil {
			textError(w, http.StatusInternalServerError, "Error merge chunks")
			return
		}
	}
	writeJSON(w, http.StatusOK, v3Success)
}

// confirmChunks finalizes rec from its chunks when they cover it.
func (s *Server) confirmChunks(rec *record) error {
	rec.merging.Lock()
	defer rec.merging.Unlock()
	s.store.mu.Lock()
	parts := contiguous(rec.chunks)
	complete := len(parts) > 0 && parts[len(parts)-1].end+1 == rec.compressedSize
	s.store.mu.Unlock()
	if !complete {
		return nil
	}
	return s.store.finalize(rec, parts, "")
}

// confirmed keeps the finalized, unexpired artifacts (s.mu held).
func (s *Server) confirmed(name string) func(*record) bool {
	now := s.cfg.Now()
	return func(r *record) bool {
		return r.status == statusConfirmed && !r.expired(now) && (name == "" || r.name == name)
	}
}

// v3List lists the run's artifacts by name; 404 when there are none.
func (s *Server) v3List(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.v3Auth(w, r)
	if !ok {
		return
	}
	type item struct {
		Name                     string `json:"name"`
		FileContainerResourceURL string `json:"fileContainerResourceUrl"`
	}
	var items []item
	seen := map[string]bool{}
	for _, rec := range s.store.find(sc, s.confirmed("")) {
		if !seen[rec.name] {
			seen[rec.name] = true
			items = append(items, item{Name: rec.name, FileContainerResourceURL: s.v3URL(r, sc.runID, nameHash(rec.name), "download_url")})
		}
	}
	if len(items) == 0 {
		textError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(items), "value": items})
}

// v3Files lists the files of ?itemPath=NAME with their download URLs.
func (s *Server) v3Files(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.v3Auth(w, r)
	if !ok {
		return
	}
	name := joinRel(r.URL.Query().Get("itemPath"))
	if r.PathValue("artifact_hash") != nameHash(name) {
		textError(w, http.StatusBadRequest, "Invalid artifact hash")
		return
	}
	type item struct {
		Path            string `json:"path"`
		ItemType        string `json:"itemType"`
		ContentLocation string `json:"contentLocation"`
	}
	var items []item
	for _, rec := range s.store.find(sc, s.confirmed(name)) {
		items = append(items, item{
			Path: joinRel(name, rec.path), ItemType: "file",
			ContentLocation: s.v3URL(r, sc.runID, strconv.FormatInt(rec.id, 10), "download"),
		})
	}
	if len(items) == 0 {
		textError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": items})
}

// v3Download serves one file, gzip-encoded when it was uploaded so.
func (s *Server) v3Download(w http.ResponseWriter, r *http.Request) {
	sc, ok := s.v3Auth(w, r)
	if !ok {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("artifact_id"), 10, 64)
	rec := s.store.byID(id)
	if rec == nil {
		textError(w, http.StatusNotFound, fmt.Sprintf("artifact with ID %d does not exist", id))
		return
	}
	if rec.scope != sc {
		textError(w, http.StatusBadRequest, "Bad Request")
		return
	}
	f, err := s.store.open(rec)
	if err != nil {
		textError(w, http.StatusNotFound, "Error artifact not found")
		return
	}
	defer func() { _ = f.Close() }()
	s.store.mu.Lock()
	encoding, created := rec.encoding, rec.created
	s.store.mu.Unlock()
	if encoding == "gzip" {
		w.Header().Set("Content-Encoding", "gzip")
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, r, "", created, f)
}
