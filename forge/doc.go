// Package forge talks to Forgejo and Gitea: the runner protocol (Ping,
// Register, Declare, FetchTask, UpdateTask, UpdateLog) over connect, and
// the forge's REST API. It imports none of runner, executor or pipeline.
//
// It is built by the runner-protocol issue; until then the package holds
// only this description.
package forge
