package argocdtest

import (
	"strconv"
	"strings"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
)

// render is a's Application as the API shows it. Call with s.mu held.
func (s *Server) render(a *app, now time.Time) argocd.Application {
	dest := argocd.ApplicationDestination{Server: "https://kubernetes.default.svc", Namespace: "default"}
	spec := argocd.ApplicationSpec{Project: a.cfg.Project, Source: s.source(a), Destination: dest}
	if a.cfg.AutoSync {
		spec.SyncPolicy = &argocd.SyncPolicy{Automated: &argocd.SyncPolicyAutomated{Prune: a.cfg.AutoPrune}}
	}
	status := argocd.ApplicationStatus{
		Sync: argocd.SyncStatus{
			Status:     a.syncStatus,
			Revision:   a.headSHA,
			ComparedTo: &argocd.ComparedTo{Source: s.source(a), Destination: dest},
		},
		Health:       s.healthOf(a, now),
		ReconciledAt: stamp(a.reconciledAt),
		History:      append([]argocd.RevisionHistory(nil), a.history...),
		Resources:    s.resourceStatuses(a, now),
		Summary:      argocd.ApplicationSummary{Images: append([]string(nil), a.liveImages...)},
		SourceType:   "Directory",
	}
	if a.head != nil && a.head.Kustomize {
		status.SourceType = "Kustomize"
	}
	if a.gitErr != "" {
		status.Conditions = []argocd.ApplicationCondition{{Type: "ComparisonError", Message: a.gitErr, LastTransitionTime: stamp(a.reconciledAt)}}
	}
	if a.opState != nil {
		st := *a.opState
		if st.SyncResult != nil {
			res := *st.SyncResult
			res.Resources = append([]argocd.ResourceResult(nil), res.Resources...)
			st.SyncResult = &res
		}
		status.OperationState = &st
	}
	out := argocd.Application{
		Metadata: argocd.ObjectMeta{
			Name:              a.cfg.Name,
			Namespace:         a.cfg.Namespace,
			UID:               a.uid,
			ResourceVersion:   strconv.Itoa(1000 + a.version),
			Generation:        int64(1 + len(a.history)),
			CreationTimestamp: stamp(a.created),
		},
		Spec:   spec,
		Status: status,
	}
	if a.stage != opNone {
		op := *a.operation
		out.Operation = &op
	}
	return out
}

// resourceStatuses lists what git and the live state hold, as of the last
// reconcile for sync and now for health.
func (s *Server) resourceStatuses(a *app, now time.Time) []argocd.ResourceStatus {
	all := map[string]resource{}
	if a.head != nil {
		for k, r := range a.head.Resources {
			all[k] = r
		}
	}
	for k, r := range a.live {
		if _, ok := all[k]; !ok {
			all[k] = r
		}
	}
	appHealth := s.healthOf(a, now)
	var out []argocd.ResourceStatus
	for _, k := range sortedKeys(all) {
		r := all[k]
		rs := argocd.ResourceStatus{Group: r.Group, Version: r.Version, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name, Status: argocd.SyncSynced}
		live, isLive := a.live[k]
		var want resource
		inGit := false
		if a.head != nil {
			want, inGit = a.head.Resources[k]
		}
		switch {
		case !inGit:
			rs.Status, rs.RequiresPruning = argocd.SyncOutOfSync, true
		case !isLive || live.Hash != want.Hash:
			rs.Status = argocd.SyncOutOfSync
		}
		switch {
		case !isLive:
			rs.Health = &argocd.HealthStatus{Status: argocd.HealthMissing}
		case r.workload():
			rs.Health = &argocd.HealthStatus{Status: appHealth.Status, Message: appHealth.Message}
		default:
			rs.Health = &argocd.HealthStatus{Status: argocd.HealthHealthy}
		}
		out = append(out, rs)
	}
	return out
}

func lowerKind(kind string) string {
	return strings.ToLower(kind)
}
