package artifacts

import (
	"net/http"
	"strconv"
	"time"
)

// The v4 API, as Gitea's routers/api/actions/artifactsv4.go serves it: the
// twirp ArtifactService over JSON. One artifact is one record, a zip.

// v4Encoding marks v4 artifacts (Gitea's ArtifactV4ContentEncoding).
const v4Encoding = "application/zip"

// v4Request is an authorized twirp request of the token's run.
type v4Request struct {
	id     Identity
	fields protoFields
	runID  string // workflow_run_backend_id as sent
	name   string
}

// v4Auth checks the token, reads the body and checks that its
// workflow_run_backend_id is the token's run.
func (s *Server) v4Auth(w http.ResponseWriter, r *http.Request) (v4Request, bool) {
	id, ok := s.authorize(w, r, textError)
	if !ok {
		return v4Request{}, false
	}
	f, err := readProto(w, r)
	if err != nil {
		textError(w, http.StatusBadRequest, "Error decode request body")
		return v4Request{}, false
	}
	req := v4Request{id: id, fields: f}
	req.runID, err = f.str("workflow_run_backend_id")
	if err == nil {
		req.name, err = f.str("name")
	}
	if n, perr := strconv.ParseInt(req.runID, 10, 64); err != nil || perr != nil || n != id.RunID {
		textError(w, http.StatusBadRequest, "run-id does not match")
		return v4Request{}, false
	}
	return req, true
}

// v4Artifact is the run's v4 artifact of this name, or nil.
func (s *Server) v4Artifact(sc scope, name string) *record {
	rs := s.store.find(sc, func(r *record) bool {
		return r.name == name && r.path == name+".zip" && r.encoding == v4Encoding
	})
	if len(rs) == 0 {
		return nil
	}
	return rs[0]
}

func (s *Server) v4Create(w http.ResponseWriter, r *http.Request) {
	req, ok := s.v4Auth(w, r)
	if !ok {
		return
	}
	if err := validName(req.name); err != nil {
		textError(w, http.StatusBadRequest, err.Error())
		return
	}
	expires, set, err := req.fields.optTime("expires_at")
	if err != nil {
		textError(w, http.StatusBadRequest, "Error decode request body")
		return
	}
	if !set {
		expires = s.expiry(int64(s.cfg.RetentionDays))
	}
	rec := s.store.createOrGet(req.id.scope(), req.name, req.name+".zip", expires)
	rec.merging.Lock()
	s.store.mu.Lock()
	rec.encoding, rec.fileSize, rec.compressedSize = v4Encoding, 0, 0
	stale := rec.chunks
	rec.chunks, rec.blockList = map[int64]part{}, nil
	s.store.mu.Unlock()
	rec.merging.Unlock()
	for _, p := range stale {
		_ = removeFile(p.file)
	}
	writeJSON(w, http.StatusOK, createArtifactResponse{
		Ok: true, SignedUploadURL: s.signedURL(r, "UploadArtifact", req.name, req.id.TaskID, rec.id),
	})
}

func (s *Server) v4Finalize(w http.ResponseWriter, r *http.Request) {
	req, ok := s.v4Auth(w, r)
	if !ok {
		return
	}
	checksum, _, err := req.fields.optStr("hash")
	if err != nil {
		textError(w, http.StatusBadRequest, "Error decode request body")
		return
	}
	rec := s.v4Artifact(req.id.scope(), req.name)
	if rec == nil {
		textError(w, http.StatusNotFound, "Error artifact not found")
		return
	}
	if err := s.confirmBlocks(rec, checksum); err != nil {
		textError(w, http.StatusInternalServerError, "Error merge chunks")
		return
	}
	writeJSON(w, http.StatusOK, finalizeArtifactResponse{Ok: true, ArtifactID: int64s(rec.id)})
}

// confirmBlocks finalizes rec from its block list, or without one from its
// appended chunks.
func (s *Server) confirmBlocks(rec *record, checksum string) error {
	rec.merging.Lock()
	defer rec.merging.Unlock()
	s.store.mu.Lock()
	var parts []part
	var at int64
	if rec.blockList != nil {
		for _, id := range rec.blockList {
			b, ok := rec.blocks[id]
			if !ok {
				s.store.mu.Unlock()
				return errMissingBlock
			}
			parts = append(parts, part{start: at, end: at + b.size() - 1, file: b.file})
			at += b.size()
		}
	} else {
		parts = contiguous(rec.chunks)
		if len(parts) > 0 {
			at = parts[len(parts)-1].end + 1
		}
		if len(parts) == 0 || at != rec.compressedSize {
			s.store.mu.Unlock()
			return errMissingBlock
		}
	}
	rec.fileSize = at
	s.store.mu.Unlock()
	return s.store.finalize(rec, parts, checksum)
}

func (s *Server) v4List(w http.ResponseWriter, r *http.Request) {
	req, ok := s.v4Auth(w, r)
	if !ok {
		return
	}
	nameFilter, byName, err1 := req.fields.optStr("name_filter")
	idFilter, byID, err2 := req.fields.optInt64("id_filter")
	jobID, err3 := req.fields.str("workflow_job_run_backend_id")
	if err1 != nil || err2 != nil || err3 != nil {
		textError(w, http.StatusBadRequest, "Error decode request body")
		return
	}
	// As Gitea: a name that is not one v4 artifact matching the filters is
	// left out.
	var order []string
	table := map[string]*monolithArtifact{}
	found := s.store.find(req.id.scope(), s.confirmed(""))
	s.store.mu.Lock()
	for _, rec := range found {
		_, seen := table[rec.name]
		if seen || byID && rec.id != idFilter || byName && rec.name != nameFilter ||
			rec.path != rec.name+".zip" || rec.encoding != v4Encoding {
			table[rec.name] = nil
			continue
		}
		order = append(order, rec.name)
		table[rec.name] = &monolithArtifact{
			WorkflowRunBackendID: req.runID, WorkflowJobRunBackendID: jobID,
			DatabaseID: int64s(rec.id), Name: rec.name, Size: int64s(rec.fileSize),
			CreatedAt: rec.created.UTC().Truncate(time.Second).Format(time.RFC3339),
		}
	}
	s.store.mu.Unlock()
	var resp listArtifactsResponse
	for _, name := range order {
		if a := table[name]; a != nil {
			resp.Artifacts = append(resp.Artifacts, *a)
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) v4SignedURL(w http.ResponseWriter, r *http.Request) {
	req, ok := s.v4Auth(w, r)
	if !ok {
		return
	}
	rec := s.v4Artifact(req.id.scope(), req.name)
	if rec == nil || !s.isConfirmed(rec) {
		textError(w, http.StatusNotFound, "Error artifact not found")
		return
	}
	writeJSON(w, http.StatusOK, signedURLResponse{
		SignedURL: s.signedURL(r, "DownloadArtifact", req.name, req.id.TaskID, rec.id),
	})
}

func (s *Server) v4Delete(w http.ResponseWriter, r *http.Request) {
	req, ok := s.v4Auth(w, r)
	if !ok {
		return
	}
	rec := s.v4Artifact(req.id.scope(), req.name)
	if rec == nil {
		textError(w, http.StatusNotFound, "Error artifact not found")
		return
	}
	s.store.remove(s.store.find(req.id.scope(), func(r *record) bool { return r.name == req.name }))
	writeJSON(w, http.StatusOK, deleteArtifactResponse{Ok: true, ArtifactID: int64s(rec.id)})
}

// isConfirmed: finalized and not expired.
func (s *Server) isConfirmed(rec *record) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	return s.confirmed("")(rec)
}
