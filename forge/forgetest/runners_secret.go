package forgetest

import (
	"encoding/hex"
	"slices"
	"time"
)

// AddRunnerWithSecret creates a runner from a shared secret, as Forgejo's
// "forgejo forgejo-cli actions register --secret SECRET" does (Gitea has
// no such command): the secret (40 hexadecimal characters) is the
// runner's token and the bytes of its first 16 characters are its uuid.
// Registering the same secret again returns the same runner.
func (s *Server) AddRunnerWithSecret(name string, labels []string, secret string) RunnerRecord {
	s.tb.Helper()
	if _, err := hex.DecodeString(secret); err != nil || len(secret) != 40 {
		s.tb.Fatalf("forgetest: AddRunnerWithSecret: the secret must be 40 hexadecimal characters, not %q", secret)
	}
	h := hex.EncodeToString([]byte(secret[:16]))
	uuid := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.runners[uuid]; ok {
		return s.runnerRecord(r, time.Now())
	}
	s.lastRunnerID++
	r := &RunnerRecord{
		ID: s.lastRunnerID, UUID: uuid, Token: secret, Name: name,
		Labels: slices.Clone(labels), Registered: time.Now(),
	}
	s.runners[uuid] = r
	s.notify()
	return s.runnerRecord(r, time.Now())
}
