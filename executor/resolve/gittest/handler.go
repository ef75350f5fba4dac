package gittest

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// serve authenticates, counts and hands the request to git http-backend.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		http.Error(w, "the forge is down for maintenance", http.StatusServiceUnavailable)
		return
	}
	name, rest, ok := splitRepoPath(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method == http.MethodPost && rest == "/git-receive-pack" || r.URL.Query().Get("service") == "git-receive-pack" {
		http.Error(w, "pushing over HTTP is not supported by gittest", http.StatusForbidden)
		return
	}
	if _, err := os.Stat(filepath.Join(s.root, filepath.FromSlash(name)+".git")); err != nil {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	st := s.stats[name]
	if st == nil {
		st = &Stats{}
		s.stats[name] = st
	}
	private := s.private[name]
	if r.Header.Get("Authorization") != "" {
		st.Authorized++
	}
	s.mu.Unlock()
	user, pass, hasAuth := r.BasicAuth()
	if (private || hasAuth) && !s.validCredentials(user, pass, hasAuth) {
		s.mu.Lock()
		st.Denied++
		s.mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="gittest"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	var body []byte
	if r.Method == http.MethodPost {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Del("Transfer-Encoding")
	}
	if s.opts.NoFetchBySHA {
		// Protocol v2 lets clients want any object; a strict server speaks
		// v0, where only advertised tips may be wanted.
		r.Header.Del("Git-Protocol")
	}
	s.count(st, r, rest, body)
	r.URL.Path = "/" + name + ".git" + rest
	s.cgi.ServeHTTP(w, r)
}

// validCredentials accepts the token as the password (any user name) or as
// the user name with an empty or x-oauth-basic password, as Forgejo does.
func (s *Server) validCredentials(user, pass string, hasAuth bool) bool {
	if !hasAuth {
		return false
	}
	if pass == s.Token {
		return true
	}
	return user == s.Token && (pass == "" || pass == "x-oauth-basic")
}

// count records what the request asks for.
func (s *Server) count(st *Stats, r *http.Request, rest string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && rest == "/info/refs":
		st.Advertisements++
	case r.Method == http.MethodPost && rest == "/git-upload-pack":
		text := body
		if r.Header.Get("Content-Encoding") == "gzip" {
			if zr, err := gzip.NewReader(bytes.NewReader(body)); err == nil {
				if b, err := io.ReadAll(zr); err == nil {
					text = b
				}
			}
		}
		switch {
		case bytes.Contains(text, []byte("command=ls-refs")):
			st.LsRefs++
		case bytes.Contains(text, []byte("command=fetch")), !bytes.Contains(text, []byte("command=")):
			st.Fetches++
		}
	}
}

// splitRepoPath splits /owner/name[.git]/rest into owner/name and /rest.
func splitRepoPath(p string) (name, rest string, ok bool) {
	parts := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 3)
	if len(parts) < 3 || parts[0] == "" || parts[1] == "" {
		return "", "", false
	}
	repo := strings.TrimSuffix(parts[1], ".git")
	if strings.HasPrefix(parts[0], ".") || strings.HasPrefix(repo, ".") || repo == "" {
		return "", "", false
	}
	return parts[0] + "/" + repo, "/" + parts[2], true
}
