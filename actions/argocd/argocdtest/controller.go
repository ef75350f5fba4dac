package argocdtest

import (
	"context"
	"fmt"
	"sort"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
)

// controller advances operations and reconciles applications with git
// every Tick until ctx ends.
func (s *Server) controller(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := s.cfg.Now()
		s.mu.Lock()
		var due []string
		for name, a := range s.apps {
			if !now.Before(a.nextReconcile) {
				due = append(due, name)
			}
		}
		s.mu.Unlock()
		sort.Strings(due)
		for _, name := range due {
			s.reconcile(ctx, name)
		}
		s.mu.Lock()
		for _, a := range s.apps {
			s.advance(a, s.cfg.Now())
		}
		s.mu.Unlock()
	}
}

// reconcile compares the application with the head of its target
// revision, reading git without holding the lock.
func (s *Server) reconcile(ctx context.Context, name string) {
	s.mu.Lock()
	a, ok := s.apps[name]
	if !ok {
		s.mu.Unlock()
		return
	}
	cfg := a.cfg
	s.mu.Unlock()
	sha, err := s.git.resolve(ctx, cfg.RepoDir, cfg.TargetRevision)
	var m *manifests
	if err == nil {
		m, err = s.git.manifests(ctx, cfg.RepoDir, sha, cfg.Path)
	}
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyReconcile(a, sha, m, err, s.cfg.Now())
}

// applyReconcile records a comparison with git: sync status, revision,
// and an automated sync when the application drifted. Call with s.mu held.
func (s *Server) applyReconcile(a *app, sha string, m *manifests, gitErr error, now time.Time) {
	before := fmt.Sprint(a.headSHA, a.syncStatus, a.gitErr)
	a.reconciledAt = now
	a.nextReconcile = now.Add(s.cfg.RefreshInterval)
	if gitErr != nil {
		a.gitErr = "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = " + gitErr.Error()
		a.syncStatus = argocd.SyncUnknown
	} else {
		a.gitErr = ""
		a.headSHA, a.head = sha, m
		a.syncStatus = argocd.SyncOutOfSync
		if sameResources(a.live, m.Resources) {
			a.syncStatus = argocd.SyncSynced
		}
	}
	if a.cfg.AutoSync && a.syncStatus == argocd.SyncOutOfSync && a.stage == opNone && a.headSHA != a.lastAutoSHA && !a.windowClosed {
		a.lastAutoSHA = a.headSHA
		s.startOperation(a, &argocd.Operation{
			Sync:        &argocd.SyncOperation{Revision: a.headSHA, Prune: a.cfg.AutoPrune},
			InitiatedBy: argocd.OperationInitiator{Automated: true},
		}, a.headSHA, a.head, now)
	}
	if fmt.Sprint(a.headSHA, a.syncStatus, a.gitErr) != before {
		s.touch(a)
	}
}

func sameResources(live, want map[string]resource) bool {
	if len(live) != len(want) {
		return false
	}
	for k, r := range want {
		if live[k].Hash != r.Hash {
			return false
		}
	}
	return true
}

// startOperation queues op for a. Call with s.mu held.
func (s *Server) startOperation(a *app, op *argocd.Operation, sha string, m *manifests, now time.Time) {
	a.stage = opPending
	a.operation = op
	a.opSHA, a.opManifests = sha, m
	a.opAt = now.Add(s.cfg.PickupDelay)
	a.terminate = false
	a.attempts = 0
	s.touch(a)
}

// advance moves a's operation and health along the clock. Call with s.mu
// held.
func (s *Server) advance(a *app, now time.Time) {
	switch {
	case a.stage == opPending && !now.Before(a.opAt):
		a.stage = opRunning
		a.opState = &argocd.OperationState{Operation: *a.operation, Phase: argocd.PhaseRunning, StartedAt: stamp(now)}
		if a.terminate {
			a.opState.Phase = argocd.PhaseTerminating
		}
		a.opAt = now.Add(s.attemptDuration(a))
		s.touch(a)
	case a.stage == opRunning && !now.Before(a.opAt):
		s.endAttempt(a, now)
	}
	if h := s.healthOf(a, now).Status; h != a.health {
		a.health = h
		s.touch(a)
	}
}

func (s *Server) attemptDuration(a *app) time.Duration {
	if a.holdFor > 0 {
		d := a.holdFor
		a.holdFor = 0
		return d
	}
	return s.cfg.SyncDuration
}

// endAttempt ends the running sync attempt: terminated, failed (maybe to
// be retried) or applied.
func (s *Server) endAttempt(a *app, now time.Time) {
	st := a.opState
	if a.terminate {
		st.Phase, st.Message = argocd.PhaseFailed, "Operation terminated"
		s.finish(a, now)
		return
	}
	a.attempts++
	if a.syncError != "" && (a.failAttempts < 0 || a.attempts <= a.failAttempts) {
		limit := int64(0)
		if a.operation.Retry != nil {
			limit = a.operation.Retry.Limit
		}
		if st.RetryCount < limit {
			st.RetryCount++
			st.Message = fmt.Sprintf("Retrying attempt #%d at %s: %s", st.RetryCount, now.UTC().Format("3:04PM"), a.syncError)
			a.opAt = now.Add(s.cfg.SyncDuration)
			s.touch(a)
			return
		}
		st.Phase, st.Message = argocd.PhaseFailed, a.syncError
		if st.RetryCount > 0 {
			st.Message = fmt.Sprintf("%s (retried %d times).", a.syncError, st.RetryCount)
		}
		st.SyncResult = &argocd.SyncOperationResult{Revision: a.opSHA, Source: s.source(a), Resources: s.results(a, "SyncFailed", a.syncError)}
		s.finish(a, now)
		return
	}
	sync := a.operation.Sync
	st.Phase = argocd.PhaseSucceeded
	st.Message = "successfully synced (all tasks run)"
	st.SyncResult = &argocd.SyncOperationResult{Revision: a.opSHA, Source: s.source(a), Resources: s.results(a, "Synced", "")}
	if sync.DryRun {
		st.Message = "successfully synced (dry run)"
		for i := range st.SyncResult.Resources {
			st.SyncResult.Resources[i].Message += " (dry run)"
		}
		s.finish(a, now)
		return
	}
	s.deploy(a, sync, now)
	s.finish(a, now)
}

// deploy makes the operation's manifests live: the selected resources,
// or all of them, pruning what git no longer has when asked.
func (s *Server) deploy(a *app, sync *argocd.SyncOperation, now time.Time) {
	changedWorkload := false
	for k, r := range a.opManifests.Resources {
		if !selected(sync.Resources, r) {
			continue
		}
		if old, ok := a.live[k]; !ok || old.Hash != r.Hash {
			changedWorkload = changedWorkload || r.workload()
		}
		a.live[k] = r
	}
	if sync.Prune {
		for k, r := range a.live {
			if _, ok := a.opManifests.Resources[k]; !ok && selected(sync.Resources, r) {
				delete(a.live, k)
			}
		}
	}
	if len(sync.Resources) == 0 {
		a.deployedSHA = a.opSHA
		a.liveImages = a.opManifests.Images
	}
	if changedWorkload {
		a.progressing = now.Add(s.cfg.HealthDelay)
		a.progressReads = s.cfg.HealthReads
	}
	a.history = append(a.history, argocd.RevisionHistory{
		ID: int64(len(a.history)), Revision: a.opSHA, DeployedAt: stamp(now), DeployStartedAt: a.opState.StartedAt,
		Source: s.source(a), InitiatedBy: &a.operation.InitiatedBy,
	})
}

func selected(filter []argocd.SyncOperationResource, r resource) bool {
	if len(filter) == 0 {
		return true
	}
	for _, f := range filter {
		if f.Group == r.Group && f.Kind == r.Kind && f.Name == r.Name && (f.Namespace == "" || f.Namespace == r.Namespace) {
			return true
		}
	}
	return false
}

// results lists the operation's resources for its syncResult.
func (s *Server) results(a *app, status, message string) []argocd.ResourceResult {
	var out []argocd.ResourceResult
	for _, k := range sortedKeys(a.opManifests.Resources) {
		r := a.opManifests.Resources[k]
		if !selected(a.operation.Sync.Resources, r) {
			continue
		}
		msg := message
		if msg == "" {
			msg = fmt.Sprintf("%s/%s configured", lowerKind(r.Kind), r.Name)
		}
		out = append(out, argocd.ResourceResult{
			Group: r.Group, Version: r.Version, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name,
			Status: status, Message: msg, SyncPhase: "Sync",
		})
	}
	return out
}

// finish ends the operation; the reconcile that follows comes after
// ReconcileDelay. Call with s.mu held.
func (s *Server) finish(a *app, now time.Time) {
	a.opState.FinishedAt = stamp(now)
	a.stage = opNone
	a.operation = nil
	a.nextReconcile = now.Add(s.cfg.ReconcileDelay)
	s.touch(a)
}

// healthOf is the application's health now.
func (s *Server) healthOf(a *app, now time.Time) argocd.AppHealthStatus {
	switch {
	case len(a.live) == 0:
		return argocd.AppHealthStatus{Status: argocd.HealthMissing}
	case now.Before(a.progressing) || a.progressReads > 0:
		return argocd.AppHealthStatus{Status: argocd.HealthProgressing, Message: "Waiting for rollout to finish: 0 of 1 updated replicas are available..."}
	case a.degraded:
		return argocd.AppHealthStatus{Status: argocd.HealthDegraded, Message: fmt.Sprintf("Deployment %q exceeded its progress deadline", s.workloadName(a))}
	}
	return argocd.AppHealthStatus{Status: argocd.HealthHealthy}
}

func (s *Server) workloadName(a *app) string {
	for _, k := range sortedKeys(a.live) {
		if r := a.live[k]; r.workload() {
			return r.Name
		}
	}
	return a.cfg.Name
}

func sortedKeys(m map[string]resource) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
