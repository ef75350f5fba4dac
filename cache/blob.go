package cache

import (
	"crypto/hmac"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Signed URL operations and lifetimes. A download URL is used at once; an
// upload URL for as long as a large upload's blocks take.
const (
	opRead       = "r"
	opWrite      = "w"
	readURLTTL   = time.Hour
	writeURLTTL  = 6 * time.Hour
	maxBlockList = 8 << 20
)

// signedURL returns a URL that reads (or writes) the data of rec without
// a job credential: the archiveLocation of v1, the signed URLs of v2. Its
// MAC covers the operation, the entry's id and nonce, and the expiry.
func (s *Server) signedURL(r *http.Request, rec record, op string) string {
	ttl := readURLTTL
	if op == opWrite {
		ttl = writeURLTTL
	}
	exp := strconv.FormatInt(s.now().Add(ttl).Unix(), 10)
	id := strconv.FormatUint(rec.ID, 10)
	sig := b64.EncodeToString(mac(s.issuer.secret, urlDomain, op, id, rec.Nonce, exp))
	return baseURL(r) + blobPrefix + id + "?op=" + op + "&exp=" + exp + "&sig=" + sig
}

// serveBlob answers a signed URL: GET (and HEAD, and ranges) of a saved
// entry, or the Azure Blob Storage uploads @actions/cache's v2 client
// makes to its signed upload URL (Put Blob; Put Block and Put Block List
// for archives over 128 MiB).
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, rawID string) {
	q := r.URL.Query()
	id, err := strconv.ParseUint(rawID, 10, 64)
	op := q.Get("op")
	if err != nil || (op != opRead && op != opWrite) {
		http.Error(w, "not a signed cache URL", http.StatusNotFound)
		return
	}
	var e *entry
	var nonce string
	if op == opRead {
		rec, _ := s.store.get(id)
		nonce = rec.Nonce
	} else if re, ok := s.store.reservedEntry(id); ok {
		e, nonce = re, re.Nonce
	}
	exp, _ := strconv.ParseInt(q.Get("exp"), 10, 64)
	sig, _ := b64.DecodeString(q.Get("sig"))
	want := mac(s.issuer.secret, urlDomain, op, rawID, nonce, q.Get("exp"))
	if nonce == "" || !hmac.Equal(sig, want) {
		http.Error(w, "this signed cache URL is not valid (the entry may have been evicted): look the entry up again", http.StatusForbidden)
		return
	}
	if s.now().Unix() > exp {
		http.Error(w, "this signed cache URL has expired: look the entry up again", http.StatusForbidden)
		return
	}
	if op == opRead {
		s.download(w, r, id)
		return
	}
	s.upload(w, r, e)
}

// download streams entry id's data, with ranges and HEAD.
func (s *Server) download(w http.ResponseWriter, r *http.Request, id uint64) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "a signed download URL is read with GET", http.StatusMethodNotAllowed)
		return
	}
	f, rec, err := s.store.openBlob(id)
	if err != nil {
		code, _, msg, known := status(err)
		s.report(r, err, !known)
		http.Error(w, msg, code)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	cw := &countingWriter{ResponseWriter: w}
	http.ServeContent(cw, r, "", rec.CreatedAt, f)
	s.observer.Transferred("download", cw.n)
}

// upload answers the Azure Blob Storage calls on a signed upload URL.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, e *entry) {
	if r.Method != http.MethodPut {
		http.Error(w, "a signed upload URL takes Azure Blob Storage PUT requests", http.StatusMethodNotAllowed)
		return
	}
	var err error
	switch comp := r.URL.Query().Get("comp"); comp {
	case "":
		err = s.store.putWhole(e, r.Body)
	case "block":
		err = s.store.putBlock(e, r.URL.Query().Get("blockid"), r.Body)
	case "blocklist":
		var ids []string
		ids, err = parseBlockList(http.MaxBytesReader(w, r.Body, maxBlockList))
		if err == nil {
			err = s.store.putBlockList(e, ids)
		}
	default:
		err = badRequestf("comp=%s is not an upload this cache server takes", comp)
	}
	if err != nil {
		code, _, msg, known := status(err)
		s.report(r, err, !known)
		w.Header().Set("x-ms-error-code", strings.ReplaceAll(http.StatusText(code), " ", ""))
		http.Error(w, msg, code)
		return
	}
	if r.ContentLength > 0 && r.URL.Query().Get("comp") != "blocklist" {
		s.observer.Transferred("upload", r.ContentLength)
	}
	h := w.Header()
	h.Set("ETag", `"`+strconv.FormatUint(e.ID, 16)+`"`)
	h.Set("Last-Modified", s.now().UTC().Format(http.TimeFormat))
	h.Set("x-ms-version", "2024-11-04")
	h.Set("x-ms-request-server-encrypted", "false")
	w.WriteHeader(http.StatusCreated)
}

// parseBlockList reads a Put Block List body: the block ids in order,
// whichever of Latest, Committed or Uncommitted names them.
func parseBlockList(body interface{ Read([]byte) (int, error) }) ([]string, error) {
	var l struct {
		Items []struct {
			XMLName xml.Name
			ID      string `xml:",chardata"`
		} `xml:",any"`
	}
	if err := xml.NewDecoder(body).Decode(&l); err != nil {
		return nil, badRequestf("the block list is not the expected XML: %v", err)
	}
	ids := make([]string, 0, len(l.Items))
	for _, it := range l.Items {
		switch it.XMLName.Local {
		case "Latest", "Committed", "Uncommitted":
			ids = append(ids, strings.TrimSpace(it.ID))
		}
	}
	if len(ids) > maxBlocks {
		return nil, badRequestf("the block list names more than %d blocks", maxBlocks)
	}
	return ids, nil
}
