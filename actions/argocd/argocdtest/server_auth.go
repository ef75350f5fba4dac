package argocdtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
)

// Argo CD's messages for requests without a valid token.
const (
	msgNoSession    = "no session information"
	msgExpired      = "invalid session: token has invalid claims: token is expired"
	msgBadToken     = "invalid session: token signature is invalid"
	msgBadLogin     = "Invalid username or password"
	sessionCookieID = "argocd.token"
)

// tokenInfo is who a token is for and when it expires (zero: never).
type tokenInfo struct {
	user    string
	expires time.Time
}

// Token mints an API token for the admin account (like argocd account
// generate-token) that expires after ttl; ttl 0 means never.
func (s *Server) Token(ttl time.Duration) string {
	return s.mint("admin", ttl)
}

func (s *Server) mint(user string, ttl time.Duration) string {
	tok := newToken()
	s.mu.Lock()
	defer s.mu.Unlock()
	info := tokenInfo{user: user}
	if ttl > 0 {
		info.expires = s.cfg.Now().Add(ttl)
	}
	s.tokens[tok] = info
	return tok
}

// Expire makes token expire now.
func (s *Server) Expire(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if info, ok := s.tokens[token]; ok {
		info.expires = s.cfg.Now().Add(-time.Second)
		s.tokens[token] = info
	}
}

// newToken returns a random token shaped like Argo CD's JWTs.
func newToken() string {
	enc := base64.RawURLEncoding
	claims, _ := json.Marshal(map[string]string{"iss": "argocd", "nonce": rand.Text()})
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims) + "." + enc.EncodeToString([]byte(rand.Text()))
}

// authenticate checks the bearer token or the argocd.token cookie and
// returns the user it belongs to.
func (s *Server) authenticate(r *http.Request) (string, error) {
	tok := ""
	if h := r.Header.Get("Authorization"); h != "" {
		tok = strings.TrimPrefix(h, "Bearer ")
	} else if c, err := r.Cookie(sessionCookieID); err == nil {
		tok = c.Value
	}
	if tok == "" {
		return "", errorf(codeUnauthenticated, msgNoSession)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	info, ok := s.tokens[tok]
	switch {
	case !ok:
		return "", errorf(codeUnauthenticated, msgBadToken)
	case !info.expires.IsZero() && !s.cfg.Now().Before(info.expires):
		return "", errorf(codeUnauthenticated, msgExpired)
	}
	return info.user, nil
}

// handleSession is POST /api/v1/session: username and password for a
// session token, also set as the argocd.token cookie.
func (s *Server) handleSession(w http.ResponseWriter, r *http.Request, _ string) (any, error) {
	var req argocd.SessionCreateRequest
	if err := s.readBody(r, "POST", "/api/v1/session", &req); err != nil {
		return nil, err
	}
	want, ok := s.cfg.Users[req.Username]
	if !ok || req.Password == "" || req.Password != want {
		return nil, errorf(codeUnauthenticated, msgBadLogin)
	}
	tok := s.mint(req.Username, s.cfg.SessionTTL)
	http.SetCookie(w, &http.Cookie{Name: sessionCookieID, Value: tok, Path: "/", HttpOnly: true})
	return argocd.SessionResponse{Token: tok}, nil
}
