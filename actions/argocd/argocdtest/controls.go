package argocdtest

import (
	"context"
	"fmt"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
)

// App returns the application as GET would show it.
func (s *Server) App(name string) (argocd.Application, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[name]
	if !ok {
		return argocd.Application{}, false
	}
	return s.render(a, s.cfg.Now()), true
}

// SyncRequests lists the sync requests the application received, refused
// ones included.
func (s *Server) SyncRequests(name string) []argocd.SyncRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.apps[name]; ok {
		return append([]argocd.SyncRequest(nil), a.requests...)
	}
	return nil
}

// withApp runs f on the named application with s.mu held.
func (s *Server) withApp(name string, f func(a *app)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[name]
	if !ok {
		return fmt.Errorf("no application %q on the test server", name)
	}
	f(a)
	s.touch(a)
	return nil
}

// FailSyncs makes the first attempts attempts of every sync operation fail
// with message (negative: every attempt; 0: none), so that a sync with
// enough retries succeeds.
func (s *Server) FailSyncs(name, message string, attempts int) error {
	return s.withApp(name, func(a *app) {
		a.syncError, a.failAttempts = message, attempts
		if attempts == 0 {
			a.syncError = ""
		}
	})
}

// SetSyncWindow closes (or opens) a deny sync window for the application.
func (s *Server) SetSyncWindow(name string, closed bool) error {
	return s.withApp(name, func(a *app) { a.windowClosed = closed })
}

// Hold starts a sync of the target revision by someone else that runs for
// d, so that syncs meanwhile get "another operation is already in
// progress".
func (s *Server) Hold(ctx context.Context, name string, d time.Duration) error {
	s.mu.Lock()
	a, ok := s.apps[name]
	var cfg AppConfig
	if ok {
		cfg = a.cfg
	}
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("no application %q on the test server", name)
	}
	sha, err := s.git.resolve(ctx, cfg.RepoDir, cfg.TargetRevision)
	if err != nil {
		return err
	}
	m, err := s.git.manifests(ctx, cfg.RepoDir, sha, cfg.Path)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.stage != opNone {
		return fmt.Errorf("application %q already has an operation", name)
	}
	now := s.cfg.Now()
	s.startOperation(a, &argocd.Operation{
		Sync:        &argocd.SyncOperation{Revision: sha},
		InitiatedBy: argocd.OperationInitiator{Username: "someone-else"},
	}, sha, m, now)
	a.opAt = now
	a.holdFor = d
	return nil
}

// EndHold ends the running operation of the application at the next tick,
// as if it had just finished its work.
func (s *Server) EndHold(name string) error {
	return s.withApp(name, func(a *app) {
		if a.stage == opRunning {
			a.opAt = s.cfg.Now()
		}
	})
}
