package artifacts

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// The signed URLs of v4: where clients PUT the zip as an Azure block blob
// and GET it back, without a token.

// expiresLayout is how Gitea writes a signed URL's expiry.
const expiresLayout = "2006-01-02 15:04:05.999999999 -0700 MST"

// maxBlockList bounds a block list: Azure allows 50,000 blocks of 64-byte
// ids.
const maxBlockList = 8 << 20

var errMissingBlock = errors.New("the artifact's chunks or blocks are missing")

// signature is an HMAC of what a signed URL grants. Unlike Gitea's it
// delimits the fields, so no two grants sign alike.
func (s *Server) signature(endpoint, expires, name string, taskID, artifactID int64) []byte {
	mac := hmac.New(sha256.New, s.signKey)
	for _, field := range []string{endpoint, expires, name, strconv.FormatInt(taskID, 10), strconv.FormatInt(artifactID, 10)} {
		_ = binary.Write(mac, binary.BigEndian, uint32(len(field))) // hashes never fail
		mac.Write([]byte(field))
	}
	return mac.Sum(nil)
}

// signedURL is Gitea's: the endpoint with sig, expires, artifactName,
// taskID and artifactID.
func (s *Server) signedURL(r *http.Request, endpoint, name string, taskID, artifactID int64) string {
	expires := s.cfg.Now().Add(s.cfg.SignedURLTTL).Format(expiresLayout)
	q := url.Values{}
	q.Set("sig", base64.URLEncoding.EncodeToString(s.signature(endpoint, expires, name, taskID, artifactID)))
	q.Set("expires", expires)
	q.Set("artifactName", name)
	q.Set("taskID", strconv.FormatInt(taskID, 10))
	q.Set("artifactID", strconv.FormatInt(artifactID, 10))
	return s.baseURL(r) + V4Prefix + endpoint + "?" + q.Encode()
}

// verifySigned checks a signed URL and returns its artifact.
func (s *Server) verifySigned(w http.ResponseWriter, r *http.Request, endpoint string) (*record, bool) {
	q := r.URL.Query()
	sig, _ := base64.URLEncoding.DecodeString(q.Get("sig"))
	taskID, _ := strconv.ParseInt(q.Get("taskID"), 10, 64)
	artifactID, _ := strconv.ParseInt(q.Get("artifactID"), 10, 64)
	expires, name := q.Get("expires"), q.Get("artifactName")
	if !hmac.Equal(sig, s.signature(endpoint, expires, name, taskID, artifactID)) {
		textError(w, http.StatusUnauthorized, "Error unauthorized")
		return nil, false
	}
	if t, err := time.Parse(expiresLayout, expires); err != nil || t.Before(s.cfg.Now()) {
		textError(w, http.StatusUnauthorized, "Error link expired")
		return nil, false
	}
	if tc, ok := s.cfg.Authorizer.(TaskChecker); ok && !tc.TaskRunning(r.Context(), taskID) {
		textError(w, http.StatusInternalServerError, msgTaskNotRunning)
		return nil, false
	}
	rec := s.store.byID(artifactID)
	if rec == nil || rec.name != name {
		textError(w, http.StatusNotFound, "Error artifact not found")
		return nil, false
	}
	return rec, true
}

// v4Upload takes the zip as Azure's block blob client sends it: blocks
// (comp=block&blockid=), then their order (comp=blocklist); or, without a
// block id, chunks appended in turn (comp=block or comp=appendBlock).
func (s *Server) v4Upload(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.verifySigned(w, r, "UploadArtifact")
	if !ok {
		return
	}
	size := r.ContentLength // -1 when unknown: take what comes
	switch comp := r.URL.Query().Get("comp"); comp {
	case "block", "appendBlock":
		if blockID := r.URL.Query().Get("blockid"); blockID != "" {
			file, n, err := s.store.writePart(rec.id, r.Body, size, nil)
			if err != nil {
				textError(w, http.StatusInternalServerError, "Error save upload block")
				return
			}
			s.store.addBlock(rec, blockID, part{start: 0, end: n - 1, file: file})
		} else if err := s.appendChunk(rec, r.Body, size); err != nil {
			textError(w, http.StatusInternalServerError, "Error save upload chunk")
			return
		}
		writeJSON(w, http.StatusCreated, "appended")
	case "blocklist":
		var list struct {
			Latest []string `xml:"Latest"`
		}
		if err := xml.NewDecoder(http.MaxBytesReader(w, r.Body, maxBlockList)).Decode(&list); err != nil {
			textError(w, http.StatusBadRequest, "Error decode block list")
			return
		}
		s.store.mu.Lock()
		rec.blockList = list.Latest
		if rec.blockList == nil {
			rec.blockList = []string{}
		}
		s.store.mu.Unlock()
		writeJSON(w, http.StatusCreated, "created")
	default:
		textError(w, http.StatusBadRequest, "Error unsupported comp "+strconv.Quote(comp)+": want block, appendBlock or blocklist")
	}
}

// appendChunk adds body at the end of what rec has so far.
func (s *Server) appendChunk(rec *record, body io.Reader, size int64) error {
	rec.merging.Lock()
	defer rec.merging.Unlock()
	file, n, err := s.store.writePart(rec.id, body, size, nil)
	if err != nil || n == 0 {
		return errors.Join(err, removeFile(file))
	}
	s.store.mu.Lock()
	at := rec.compressedSize
	rec.compressedSize += n
	rec.fileSize += n
	s.store.mu.Unlock()
	s.store.addChunk(rec, part{start: at, end: at + n - 1, file: file})
	return nil
}

// v4Download serves the zip.
func (s *Server) v4Download(w http.ResponseWriter, r *http.Request) {
	rec, ok := s.verifySigned(w, r, "DownloadArtifact")
	if !ok {
		return
	}
	f, err := s.store.open(rec)
	if err != nil {
		textError(w, http.StatusNotFound, "Error artifact not found")
		return
	}
	defer func() { _ = f.Close() }()
	if fi, err := f.Stat(); err == nil {
		w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	}
	// No Content-Type, as Gitea: net/http sniffs it, application/zip for
	// a zip, which download-artifact then extracts.
	_, _ = io.Copy(w, f)
}
