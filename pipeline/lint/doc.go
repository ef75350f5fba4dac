// Package lint checks workflow files before they run: anvil's own parser
// (pipeline.ParseWorkflow) and actionlint's rules, adapted to Forgejo.
//
// The adaptations keep actionlint's checks while accepting what Forgejo and
// anvil run: the forgejo and gitea contexts are checked as the github
// context they stand for (their identifiers are rewritten in the parsed
// workflow, and positions and messages are mapped back), URL-form uses:
// (https://host/owner/repo@ref) are checked as owner/repo@ref, Forgejo-only
// keys and events are accepted, and GitHub-only policies (runner labels of
// github.com, retired Node versions of actions) are left out. Runner labels
// are checked against the labels of the runner when they are known.
//
// It reports problems; it runs, fetches and resolves nothing. cmd (anvil
// lint, anvil exec) and the runner daemon call it before they plan a
// workflow. It reads no files: callers give the file's name and content.
package lint
