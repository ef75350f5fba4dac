// Package argocdtest is an Argo CD API server for tests: the REST subset in
// swagger-subset.json (session, application get/sync/terminate, the watch
// stream, version), with the behaviours of the real server that actions
// must survive (another operation in progress, 401 on expired tokens, sync
// windows, auto-sync revision conflicts, transient 503s), and a controller
// emulation that follows a real bare git repository: it reads the
// application's path at the target branch head, compares it with what it
// last deployed, runs sync operations with configurable delays, and moves
// sync status, health and revision as Argo CD would, including a degraded
// mode and failing syncs with retries.
//
// Every JSON document the server receives or sends is checked against the
// swagger subset; Violations lists the problems, and NewTest fails the test
// on any. It is used by the argocd package's tests, the scenario tests
// that run the actions through anvil exec, and the example pipeline.
package argocdtest
