package argocdtest

import (
	"errors"
	"fmt"
	"net/http"
	"runtime"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
)

// Argo CD's messages for refused syncs.
const (
	msgInProgress   = "another operation is already in progress"
	msgSyncWindow   = "cannot sync: blocked by sync window"
	msgNoOperation  = "Unable to terminate operation. No operation is in progress"
	msgAutoSyncConf = "Cannot sync to %s: auto-sync currently set to %s"
)

// handleVersion is GET /api/version.
func (s *Server) handleVersion(http.ResponseWriter, *http.Request, string) (any, error) {
	return argocd.VersionMessage{Version: "v3.1.0+anvil-test", GitCommit: "37ee0097cf851bc2dd7665fc081bbce61a7e836e", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}, nil
}

// lookup finds the application named in the path, in the appNamespace
// the query or body names (if any). Call with s.mu held.
func (s *Server) lookup(name, namespace string) (*app, error) {
	a, ok := s.apps[name]
	if !ok || (namespace != "" && namespace != a.cfg.Namespace) {
		return nil, errorf(codeNotFound, fmt.Sprintf("applications.argoproj.io %q not found", name))
	}
	return a, nil
}

// handleGet is GET /api/v1/applications/{name}; refresh=normal or hard
// compares the application with git before answering, as Argo CD waits for
// the refresh it asks the controller for.
func (s *Server) handleGet(_ http.ResponseWriter, r *http.Request, _ string) (any, error) {
	name, q := r.PathValue("name"), r.URL.Query()
	s.mu.Lock()
	_, err := s.lookup(name, q.Get("appNamespace"))
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if refresh := q.Get("refresh"); refresh != "" {
		if refresh != "normal" && refresh != "hard" {
			return nil, errorf(codeInvalidArgument, fmt.Sprintf("refresh must be normal or hard, not %q", refresh))
		}
		s.reconcile(r.Context(), name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(name, q.Get("appNamespace"))
	if err != nil {
		return nil, err
	}
	app := s.render(a, s.cfg.Now())
	if a.progressReads > 0 {
		a.progressReads--
	}
	return app, nil
}

// handleSync is POST /api/v1/applications/{name}/sync.
func (s *Server) handleSync(_ http.ResponseWriter, r *http.Request, user string) (any, error) {
	name := r.PathValue("name")
	var req argocd.SyncRequest
	if err := s.readBody(r, "POST", "/api/v1/applications/{name}/sync", &req); err != nil {
		return nil, err
	}
	s.mu.Lock()
	a, err := s.lookup(name, req.AppNamespace)
	if err == nil {
		a.requests = append(a.requests, req)
		err = s.refuseSync(a, req)
	}
	var cfg AppConfig
	if a != nil {
		cfg = a.cfg
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	rev := req.Revision
	if rev == "" {
		rev = cfg.TargetRevision
	}
	sha, err := s.git.resolve(r.Context(), cfg.RepoDir, rev)
	if errors.Is(err, errUnresolved) {
		return nil, errorf(codeInvalidArgument, err.Error())
	}
	var m *manifests
	if err == nil {
		m, err = s.git.manifests(r.Context(), cfg.RepoDir, sha, cfg.Path)
	}
	if err != nil {
		return nil, errorf(codeUnknown, err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refuseSync(a, req); err != nil {
		return nil, err
	}
	op := &argocd.Operation{
		Sync: &argocd.SyncOperation{
			Revision:  req.Revision,
			Prune:     req.Prune,
			DryRun:    req.DryRun,
			Resources: req.Resources,
		},
		InitiatedBy: argocd.OperationInitiator{Username: user},
		Retry:       req.RetryStrategy,
	}
	if req.SyncOptions != nil {
		op.Sync.SyncOptions = req.SyncOptions.Items
	}
	now := s.cfg.Now()
	s.startOperation(a, op, sha, m, now)
	return s.render(a, now), nil
}

// refuseSync gives Argo CD's reasons to refuse a sync. Call with s.mu held.
func (s *Server) refuseSync(a *app, req argocd.SyncRequest) error {
	switch {
	case a.windowClosed:
		return errorf(codePermissionDenied, msgSyncWindow)
	case a.stage != opNone:
		return errorf(codeFailedPrecondition, msgInProgress)
	case a.cfg.AutoSync && req.Revision != "" && req.Revision != a.cfg.TargetRevision:
		return errorf(codeFailedPrecondition, fmt.Sprintf(msgAutoSyncConf, req.Revision, a.cfg.TargetRevision))
	}
	return nil
}

// handleTerminate is DELETE /api/v1/applications/{name}/operation.
func (s *Server) handleTerminate(_ http.ResponseWriter, r *http.Request, _ string) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.lookup(r.PathValue("name"), r.URL.Query().Get("appNamespace"))
	if err != nil {
		return nil, err
	}
	if a.stage == opNone {
		return nil, errorf(codeFailedPrecondition, msgNoOperation)
	}
	a.terminate = true
	if a.stage == opRunning {
		a.opState.Phase = argocd.PhaseTerminating
		a.opAt = s.cfg.Now()
	}
	s.touch(a)
	return struct{}{}, nil
}
