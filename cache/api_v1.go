package cache

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxJSONBody bounds the JSON requests of both APIs.
const maxJSONBody = 1 << 20

// v1 API bodies, as @actions/cache's cacheHttpClient.ts sends and reads
// them.
type (
	v1Entry struct {
		CacheKey        string `json:"cacheKey"`
		Scope           string `json:"scope"`
		CacheVersion    string `json:"cacheVersion"`
		CreationTime    string `json:"creationTime"`
		ArchiveLocation string `json:"archiveLocation,omitempty"`
	}
	v1List struct {
		TotalCount     int       `json:"totalCount"`
		ArtifactCaches []v1Entry `json:"artifactCaches"`
	}
	v1Reserve struct {
		Key       string `json:"key"`
		Version   string `json:"version"`
		CacheSize int64  `json:"cacheSize"`
	}
	v1Reserved struct {
		CacheID uint64 `json:"cacheId"`
	}
	v1Commit struct {
		Size *int64 `json:"size"`
	}
)

// serveV1 answers the v1 REST API; rest is the path after
// _apis/artifactcache/.
func (s *Server) serveV1(w http.ResponseWriter, r *http.Request, c claims, rest string) {
	own := owner{repo: c.Repo, ref: c.Write}
	switch {
	case rest == "cache" && r.Method == http.MethodGet:
		q := r.URL.Query()
		var keys []string
		for k := range strings.SplitSeq(q.Get("keys"), ",") {
			if k = strings.TrimSpace(k); k != "" {
				keys = append(keys, k)
			}
		}
		rec, ok := s.store.find(c, keys, q.Get("version"))
		s.observer.Lookup(ok)
		if !ok {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		e := v1EntryOf(rec)
		e.ArchiveLocation = s.signedURL(r, rec, opRead)
		writeJSON(w, http.StatusOK, e)
	case rest == "caches" && r.Method == http.MethodGet:
		recs := s.store.list(c, r.URL.Query().Get("key"))
		l := v1List{TotalCount: len(recs), ArtifactCaches: []v1Entry{}}
		for _, rec := range recs {
			l.ArtifactCaches = append(l.ArtifactCaches, v1EntryOf(rec))
		}
		writeJSON(w, http.StatusOK, l)
	case rest == "caches" && r.Method == http.MethodPost:
		var req v1Reserve
		if err := decodeJSON(w, r, &req); err != nil {
			s.v1Error(w, r, err)
			return
		}
		e, err := s.store.reserve(own, req.Key, req.Version, req.CacheSize)
		if err != nil {
			s.v1Error(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, v1Reserved{CacheID: e.ID})
	case strings.HasPrefix(rest, "caches/"):
		id, err := strconv.ParseUint(strings.TrimPrefix(rest, "caches/"), 10, 64)
		if err != nil {
			s.v1Error(w, r, badRequestf("the cache id %q is not a number", strings.TrimPrefix(rest, "caches/")))
			return
		}
		switch r.Method {
		case http.MethodPatch:
			err = s.v1Upload(r, own, id)
		case http.MethodPost:
			err = s.v1Commit(w, r, own, id)
		default:
			err = refusef(http.StatusMethodNotAllowed, "bad_route", "use PATCH to upload a chunk and POST to commit")
		}
		if err != nil {
			s.v1Error(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		s.v1Error(w, r, notFoundf("no such cache API: %s %s", r.Method, v1Prefix+rest))
	}
}

// v1Upload writes one chunk: its Content-Range says where.
func (s *Server) v1Upload(r *http.Request, own owner, id uint64) error {
	start, end, err := parseContentRange(r.Header.Get("Content-Range"))
	if err != nil {
		return err
	}
	n := end - start + 1
	if r.ContentLength >= 0 && r.ContentLength != n {
		return badRequestf("the body has %d bytes but Content-Range announces %d", r.ContentLength, n)
	}
	if err := s.store.writeChunk(own, id, start, n, r.Body); err != nil {
		return err
	}
	s.observer.Transferred("upload", n)
	return nil
}

// v1Commit commits upload id with the size the client states.
func (s *Server) v1Commit(w http.ResponseWriter, r *http.Request, own owner, id uint64) error {
	var req v1Commit
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Size == nil {
		return badRequestf("the commit needs the entry's size: {\"size\": BYTES}")
	}
	if _, err := s.store.commit(own, id, *req.Size); err != nil {
		return err
	}
	s.Sweep()
	return nil
}

// parseContentRange reads "bytes START-END/TOTAL" (TOTAL may be *).
func parseContentRange(h string) (start, end int64, err error) {
	bad := badRequestf("the chunk needs a Content-Range of the form \"bytes START-END/*\", got %q", h)
	spec, ok := strings.CutPrefix(h, "bytes ")
	if !ok {
		return 0, 0, bad
	}
	rng, _, _ := strings.Cut(spec, "/")
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return 0, 0, bad
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end < start {
		return 0, 0, bad
	}
	return start, end, nil
}

func v1EntryOf(rec record) v1Entry {
	return v1Entry{
		CacheKey:     rec.Key,
		Scope:        rec.Ref,
		CacheVersion: rec.Version,
		CreationTime: rec.CreatedAt.UTC().Format(time.RFC3339),
	}
}

// decodeJSON reads a JSON request body of at most maxJSONBody bytes.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody)).Decode(v); err != nil {
		return badRequestf("the request body is not the expected JSON: %v", err)
	}
	return nil
}

// v1Error answers a v1 request with {"message": ...}, which
// @actions/http-client shows in its error.
func (s *Server) v1Error(w http.ResponseWriter, r *http.Request, err error) {
	code, _, msg, known := status(err)
	s.report(r, err, !known)
	writeJSON(w, code, map[string]string{"message": msg})
}
