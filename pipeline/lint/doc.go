// Package lint checks workflow files before they run: anvil's own parser
// (pipeline.ParseWorkflow) and actionlint's rules, adapted to Forgejo.
//
// Each finding is an error or a warning. An error is only what GitHub or
// Forgejo would refuse at run time too, or what anvil cannot build
// (invalid YAML, unknown or cyclic needs, an expression that does not
// parse, an undefined context or function, a matrix over 256
// combinations, a step with neither run nor uses); it fails the jobs of
// the workflow before they start. Everything else is a warning, shown
// and never failing a job: the forge has accepted the workflow.
//
// The adaptations keep actionlint's checks while accepting what Forgejo and
// anvil run: the forge, forgejo and gitea contexts are checked as the
// github context they stand for (their identifiers are rewritten in the
// parsed workflow, and positions and messages are mapped back), URL-form
// uses: (https://host/owner/repo@ref) are checked as owner/repo@ref,
// Forgejo-only keys and events, secrets in if: and cron descriptors are
// accepted, and GitHub-only policies (runner labels of github.com, retired
// Node versions of actions) are left out. Runner labels are checked
// against the labels of the runner when they are known. A forge task's
// payload (Options.Task) is read as the forge writes it, and its findings
// name their job and step rather than the payload's lines.
//
// It reports problems; it runs, fetches and resolves nothing. cmd (anvil
// lint, anvil exec) and the runner daemon call it before they plan a
// workflow. It reads no files: callers give the file's name and content.
package lint
