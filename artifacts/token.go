package artifacts

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// LocalTokens mints and checks the runtime tokens of a local run (anvil
// exec): JWTs signed with HS256 by a key made for this value, with the
// claims Gitea's runtime tokens have (scp "Actions.Results:RUN:JOB",
// TaskID, RunID, JobID). @actions/artifact 2.x reads its backend ids from
// the scp claim, so the token must have this shape.
type LocalTokens struct {
	repository string
	key        []byte
}

// NewLocalTokens makes a fresh key; tokens it mints prove the repository
// and the run and job ids given to Token.
func NewLocalTokens(repository string) (*LocalTokens, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("making the artifact token key: %w", err)
	}
	return &LocalTokens{repository: repository, key: key}, nil
}

type tokenClaims struct {
	Scp    string `json:"scp"`
	TaskID int64
	RunID  int64
	JobID  int64
}

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// Token returns the runtime token of job jobID of run runID. The job is
// its own task.
func (t *LocalTokens) Token(runID, jobID int64) string {
	claims, _ := json.Marshal(tokenClaims{ // plain strings and numbers always marshal
		Scp: fmt.Sprintf("Actions.Results:%d:%d", runID, jobID), TaskID: jobID, RunID: runID, JobID: jobID,
	})
	signed := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(claims)
	return signed + "." + base64.RawURLEncoding.EncodeToString(t.sign(signed))
}

func (t *LocalTokens) sign(s string) []byte {
	mac := hmac.New(sha256.New, t.key)
	mac.Write([]byte(s))
	return mac.Sum(nil)
}

// Authorize checks a token Token made.
func (t *LocalTokens) Authorize(_ context.Context, token string) (Identity, error) {
	i := strings.LastIndexByte(token, '.')
	if !strings.HasPrefix(token, jwtHeader+".") || i <= len(jwtHeader) {
		return Identity{}, ErrUnauthorized
	}
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil || !hmac.Equal(sig, t.sign(token[:i])) {
		return Identity{}, ErrUnauthorized
	}
	raw, err := base64.RawURLEncoding.DecodeString(token[len(jwtHeader)+1 : i])
	var c tokenClaims
	if err != nil || json.Unmarshal(raw, &c) != nil {
		return Identity{}, ErrUnauthorized
	}
	return Identity{Repository: t.repository, RunID: c.RunID, TaskID: c.TaskID}, nil
}
