package cache

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Scope is what a job may reach: its repository's entries of the refs it
// reads, and of the one ref it writes. It follows GitHub's rules: a run
// reads its own ref's entries, then (for a pull request) its base
// branch's, then the default branch's, and writes only its own ref's.
type Scope struct {
	// Repository is owner/name (compared without regard to case).
	Repository string
	// Ref is the run's GITHUB_REF: refs/heads/B, refs/tags/T or
	// refs/pull/N/merge.
	Ref string
	// BaseRef is a pull request's base branch (GITHUB_BASE_REF), or "".
	BaseRef string
	// DefaultBranch is the repository's default branch, or "".
	DefaultBranch string
}

// claims is the signed content of a job credential.
type claims struct {
	Repo  string   `json:"repo"`
	Write string   `json:"write"`
	Read  []string `json:"read"`
	Exp   int64    `json:"exp"`
}

// claims turns the scope into what a credential grants.
func (s Scope) claims(exp time.Time) (claims, error) {
	if strings.TrimSpace(s.Repository) == "" || strings.TrimSpace(s.Ref) == "" {
		return claims{}, errors.New("cache scope needs the repository and the run's ref")
	}
	c := claims{Repo: strings.ToLower(s.Repository), Write: qualifyRef(s.Ref), Exp: exp.Unix()}
	for _, r := range []string{s.Ref, s.BaseRef, s.DefaultBranch} {
		if r = qualifyRef(r); r != "" && !slices.Contains(c.Read, r) {
			c.Read = append(c.Read, r)
		}
	}
	return c, nil
}

// qualifyRef makes a branch name a full ref: main becomes refs/heads/main.
func qualifyRef(r string) string {
	r = strings.TrimSpace(r)
	if r == "" || strings.HasPrefix(r, "refs/") {
		return r
	}
	return "refs/heads/" + r
}

// reads reports whether the credential may read entries of ref.
func (c claims) reads(ref string) bool { return slices.Contains(c.Read, ref) }

// Token strings: tokenPrefix, base64url of the claims JSON, ".", base64url
// of the MAC. MACs of tokens and of signed URLs are domain-separated.
const (
	tokenPrefix = "anv1."
	tokenDomain = "anvil-cache-token\n"
	urlDomain   = "anvil-cache-url\n"
	defaultTTL  = 24 * time.Hour
)

var b64 = base64.RawURLEncoding

// Credential errors. Their messages never contain the credential.
var (
	errNoCredential  = errors.New("no cache credential: the job must use the ACTIONS_CACHE_URL (or, for the v2 API, the ACTIONS_RUNTIME_TOKEN) its runner gave it")
	errBadCredential = errors.New("the cache credential is not valid for this server: runners and cache server must share cache.secret")
	errExpired       = errors.New("the cache credential has expired: it is valid for the job it was issued to only")
)

// Issuer makes job credentials for a cache server that shares its secret:
// the server itself (Server.Issuer) or an external one (anvil
// cache-server, cache.external_server).
type Issuer struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
}

// NewIssuer returns an Issuer keyed with the server's secret. Credentials
// expire after ttl (0 means 24h); now is the clock (nil means time.Now).
func NewIssuer(secret []byte, ttl time.Duration, now func() time.Time) (*Issuer, error) {
	if len(secret) == 0 {
		return nil, errors.New("the cache needs a secret shared by the server and its runners (cache.secret)")
	}
	if ttl <= 0 {
		ttl = defaultTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Issuer{secret: slices.Clone(secret), ttl: ttl, now: now}, nil
}

// JobCredentials is what a job is given to reach the cache.
type JobCredentials struct {
	// CacheURL is ACTIONS_CACHE_URL (v1 API): the server's base URL with
	// the credential in its path and a trailing slash. Use it on a forge,
	// where ACTIONS_RUNTIME_TOKEN belongs to the forge.
	CacheURL string
	// ResultsURL and Token are ACTIONS_RESULTS_URL and
	// ACTIONS_RUNTIME_TOKEN for the v2 twirp API, which @actions/cache
	// only uses with ACTIONS_CACHE_SERVICE_V2 set and a github.com
	// GITHUB_SERVER_URL; they suit anvil exec, where no forge owns them.
	ResultsURL string
	Token      string
}

// JobCredentials returns the credentials of a job with scope, for a
// server that job containers reach at baseURL (http://host:port).
func (i *Issuer) JobCredentials(baseURL string, s Scope) (JobCredentials, error) {
	tok, err := i.Token(s)
	if err != nil {
		return JobCredentials{}, err
	}
	base := strings.TrimRight(baseURL, "/")
	return JobCredentials{
		CacheURL:   base + pathPrefix + tok + "/",
		ResultsURL: base,
		Token:      tok,
	}, nil
}

// Token returns a credential for scope, valid for the Issuer's ttl.
func (i *Issuer) Token(s Scope) (string, error) {
	c, err := s.claims(i.now().Add(i.ttl))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encoding the cache credential: %w", err)
	}
	body := tokenPrefix + b64.EncodeToString(payload)
	return body + "." + b64.EncodeToString(mac(i.secret, tokenDomain, body)), nil
}

// verify checks a credential's MAC and expiry and returns its claims.
func (i *Issuer) verify(tok string) (claims, error) {
	if tok == "" {
		return claims{}, errNoCredential
	}
	dot := strings.LastIndexByte(tok, '.')
	if !strings.HasPrefix(tok, tokenPrefix) || dot <= len(tokenPrefix) {
		return claims{}, errBadCredential
	}
	body, sig := tok[:dot], tok[dot+1:]
	got, err := b64.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(i.secret, tokenDomain, body)) {
		return claims{}, errBadCredential
	}
	payload, err := b64.DecodeString(strings.TrimPrefix(body, tokenPrefix))
	if err != nil {
		return claims{}, errBadCredential
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil || c.Repo == "" || c.Write == "" {
		return claims{}, errBadCredential
	}
	if i.now().Unix() > c.Exp {
		return claims{}, errExpired
	}
	return c, nil
}

// mac is HMAC-SHA256 over the domain and the message parts, each ended by
// a newline so that parts cannot shift into each other.
func mac(secret []byte, domain string, parts ...string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(domain))
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{'\n'})
	}
	return h.Sum(nil)
}
