package cache

import (
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// serveTwirp answers github.actions.results.api.v1.CacheService in JSON
// twirp. Requests name fields as the proto does (key, restore_keys,
// size_bytes; @actions/cache sends these) or in their JSON form
// (restoreKeys, sizeBytes); responses use the JSON form, with int64 as a
// string, which both readers accept.
func (s *Server) serveTwirp(w http.ResponseWriter, r *http.Request, method string) {
	if r.Method != http.MethodPost {
		s.twirpError(w, r, refusef(http.StatusNotFound, "bad_route", "twirp methods are called with POST"))
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		s.twirpError(w, r, refusef(http.StatusNotFound, "bad_route", "this cache server speaks JSON twirp only (Content-Type: application/json)"))
		return
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	c, err := s.issuer.verify(strings.TrimSpace(tok))
	if err != nil {
		s.twirpError(w, r, unauthorized(err))
		return
	}
	var req twirpFields
	if err := decodeJSON(w, r, &req); err != nil {
		s.twirpError(w, r, err)
		return
	}
	own := owner{repo: c.Repo, ref: c.Write}
	key, version := req.str("key"), req.str("version")
	switch method {
	case "CreateCacheEntry":
		e, err := s.store.reserve(own, key, version, 0)
		if err != nil {
			s.twirpError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "signedUploadUrl": s.signedURL(r, e.record, opWrite)})
	case "FinalizeCacheEntryUpload":
		size, err := req.int64("size_bytes")
		if err != nil {
			s.twirpError(w, r, err)
			return
		}
		rec, err := s.store.commitByKey(own, key, version, size)
		if err != nil {
			s.twirpError(w, r, err)
			return
		}
		s.Sweep()
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "entryId": strconv.FormatUint(rec.ID, 10)})
	case "GetCacheEntryDownloadURL":
		rec, ok := s.store.find(c, append([]string{key}, req.strs("restore_keys")...), version)
		s.observer.Lookup(ok)
		if !ok {
			writeJSON(w, http.StatusOK, map[string]any{"ok": false, "signedDownloadUrl": "", "matchedKey": ""})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "signedDownloadUrl": s.signedURL(r, rec, opRead), "matchedKey": rec.Key})
	default:
		s.twirpError(w, r, refusef(http.StatusNotFound, "bad_route", "CacheService has no method %q", method))
	}
}

// twirpFields is a request message, read by either field name.
type twirpFields map[string]json.RawMessage

// field returns the value of proto name snake or its JSON (lowerCamel)
// name.
func (f twirpFields) field(snake string) json.RawMessage {
	if v, ok := f[snake]; ok {
		return v
	}
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return f[strings.Join(parts, "")]
}

func (f twirpFields) str(name string) string {
	var s string
	json.Unmarshal(f.field(name), &s)
	return s
}

func (f twirpFields) strs(name string) []string {
	var s []string
	json.Unmarshal(f.field(name), &s)
	return s
}

// int64 reads an int64 field, a string in proto JSON (a number is
// accepted too).
func (f twirpFields) int64(name string) (int64, error) {
	raw := f.field(name)
	if raw == nil {
		return 0, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, badRequestf("%s is not an integer: %s", name, raw)
	}
	return n, nil
}

// twirpError answers with a twirp error: {"code": ..., "msg": ...}, which
// @actions/cache shows in its warning.
func (s *Server) twirpError(w http.ResponseWriter, r *http.Request, err error) {
	code, twirp, msg, known := status(err)
	s.report(r, err, !known)
	writeJSON(w, code, map[string]string{"code": twirp, "msg": msg})
}
