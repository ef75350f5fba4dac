// Package plan is the plain data between pipeline and executor: the
// Plan of the workflows an event triggers, each Workflow with its Jobs,
// Steps, Containers and Strategy, the Action of an action.yml, the
// Problems checking found, and the Event that triggers workflows.
//
// It also holds the helpers on that data that need no parser: New (the
// workflows an Event triggers, with their jobs in needs order), Select,
// ExpandMatrix and MatrixSuffix. It reads no files and parses no YAML:
// pipeline.ParseWorkflow and pipeline.ParseAction make its values, and
// pipeline.Loader reads, for the executor, what a running job refers to.
//
// pipeline, pipeline/lint and pipeline/policy build and check plans; the
// executor runs them and imports this package, never pipeline (an import
// rule of internal/archtest); runner, cmd, audit and gitctx pass plans and
// events between them. String fields may hold ${{ }} expressions, which
// pipeline/expr evaluates at run time.
package plan
