package artifacts

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Where forges serve the two APIs; a mux mounts Handler at both.
const (
	// V3Prefix is Gitea's artifact API v3; ACTIONS_RUNTIME_URL is the
	// server's base URL followed by this.
	V3Prefix = "/api/actions_pipeline/"
	// V4Prefix is Gitea's twirp ArtifactService; ACTIONS_RESULTS_URL is the
	// server's base URL (clients take its origin).
	V4Prefix = "/twirp/github.actions.results.api.v1.ArtifactService/"
)

// Config configures New.
type Config struct {
	// Dir holds the artifacts; it is created when missing.
	Dir string
	// Authorizer checks runtime tokens. Required.
	Authorizer Authorizer
	// BaseURL is the server's URL as jobs reach it, for the URLs it hands
	// out; empty: the scheme and Host of each request, as Gitea guesses
	// its own URL.
	BaseURL string
	// RetentionDays is how long an artifact lives when its upload names no
	// retention (default 90, Gitea's).
	RetentionDays int
	// SignedURLTTL is how long a signed URL works (default 60 minutes,
	// Gitea's).
	SignedURLTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Server serves the artifact APIs. Its methods are safe for concurrent use.
type Server struct {
	cfg     Config
	store   *store
	signKey []byte
	mux     *http.ServeMux
}

// New makes a Server storing under cfg.Dir.
func New(cfg Config) (*Server, error) {
	if cfg.Authorizer == nil {
		return nil, errors.New("artifacts.New: Config.Authorizer is required")
	}
	if cfg.Dir == "" {
		return nil, errors.New("artifacts.New: Config.Dir is required: where artifacts are stored")
	}
	if cfg.RetentionDays <= 0 {
		cfg.RetentionDays = 90
	}
	if cfg.SignedURLTTL <= 0 {
		cfg.SignedURLTTL = 60 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	st, err := newStore(cfg.Dir, cfg.Now)
	if err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("making the signing key: %w", err)
	}
	s := &Server{cfg: cfg, store: st, signKey: key, mux: http.NewServeMux()}
	s.routes()
	return s, nil
}

// Handler serves both APIs at their paths (V3Prefix, V4Prefix).
func (s *Server) Handler() http.Handler { return s.mux }

func (s *Server) routes() {
	base := V3Prefix + "_apis/pipelines/workflows/{run_id}/artifacts"
	s.mux.HandleFunc("GET "+base, s.v3List)
	s.mux.HandleFunc("POST "+base, s.v3Create)
	s.mux.HandleFunc("PATCH "+base, s.v3Confirm)
	s.mux.HandleFunc("PUT "+base+"/{artifact_hash}/upload", s.v3Upload)
	s.mux.HandleFunc("GET "+base+"/{artifact_hash}/download_url", s.v3Files)
	s.mux.HandleFunc("GET "+base+"/{artifact_id}/download", s.v3Download)

	s.mux.HandleFunc("POST "+V4Prefix+"CreateArtifact", s.v4Create)
	s.mux.HandleFunc("POST "+V4Prefix+"FinalizeArtifact", s.v4Finalize)
	s.mux.HandleFunc("POST "+V4Prefix+"ListArtifacts", s.v4List)
	s.mux.HandleFunc("POST "+V4Prefix+"GetSignedArtifactURL", s.v4SignedURL)
	s.mux.HandleFunc("POST "+V4Prefix+"DeleteArtifact", s.v4Delete)
	s.mux.HandleFunc("PUT "+V4Prefix+"UploadArtifact", s.v4Upload)
	s.mux.HandleFunc("GET "+V4Prefix+"DownloadArtifact", s.v4Download)
}

// baseURL is where the server is, for the URLs it hands out.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// expiry is when an artifact uploaded now for days days expires.
func (s *Server) expiry(days int64) time.Time {
	return s.cfg.Now().Add(time.Duration(days) * 24 * time.Hour)
}

// Prune removes the artifacts whose retention has passed, and returns how
// many it removed. Expired artifacts are neither listed nor served even
// before Prune runs.
func (s *Server) Prune() int {
	now := s.cfg.Now()
	var old []*record
	s.store.mu.Lock()
	for _, r := range s.store.records {
		if r.expired(now) {
			old = append(old, r)
		}
	}
	s.store.mu.Unlock()
	s.store.remove(old)
	return len(old)
}

// textError is how Gitea answers errors in both APIs (ctx.HTTPError): the
// status and a line of text, also for the twirp methods of v4.
func textError(w http.ResponseWriter, status int, msg string) {
	http.Error(w, msg, status)
}
