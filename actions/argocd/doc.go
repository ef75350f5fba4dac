// Package argocd is the logic of the argocd-sync and argocd-wait actions: a
// small client of Argo CD's REST API (not its gRPC-web CLI path), a sync
// that waits out "another operation is already in progress", and a wait for
// an application's operation, sync status, health and revision.
//
// Every field the client reads or writes is named after Argo CD's own
// OpenAPI description (argocdtest/swagger-subset.json); a contract test
// checks them. Every wait is bounded by a timeout, and a 401 ends a wait at
// once. The package writes progress to an io.Writer and returns results.
// ParseSync and ParseWait read the actions' inputs (package step's rules),
// SyncOutputs and WaitOutputs name their outputs; it does not read the
// environment or write the action's output files: the anvil action
// argocd-sync / argocd-wait commands in cmd/ wire that.
//
// argocdtest holds an Argo CD test server with a controller emulation that
// follows a git repository, for tests.
package argocd
