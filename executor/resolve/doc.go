// Package resolve fetches the remote actions and reusable workflows that
// uses: names, offline-first, for the engine in package executor.
//
// A Resolver implements executor.ActionResolver. It parses the reference
// forms owner/repo[/path]@ref and https://host/owner/repo[/path]@ref
// (reusable workflows name their file as the path), picks the source
// (--local-repository directories first, then a mirror that replaces
// every source, then the reference's own server or the default actions
// URLs in order), resolves tags and branches to a commit with git
// ls-remote, and fetches each commit once, shallow, into a cache keyed by
// commit that several jobs, Resolvers and processes share safely. A
// reference pinned to a full commit id is checked against what was
// fetched. Offline, tags and branches resolve through the refs recorded
// by the last online resolution.
//
// It runs the git program for all network access, so proxies, CA
// certificates and credential helpers configured for git apply. A job
// token goes to its forge only, in git's environment, never into URLs,
// files, logs or errors.
//
// cmd builds one Resolver per anvil exec run (and the runner one per
// task) and passes it to the engine as executor.Config.Actions. It does
// not run actions: the engine does.
package resolve
