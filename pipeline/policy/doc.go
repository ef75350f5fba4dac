// Package policy checks jobs against an organisation's rules before they
// run: policy as code, in CEL.
//
// A policy file (see docs/policy.md) holds named rules, each a CEL
// expression over a typed Input (the job's plan and the task's context)
// with a message and a mode, deny or warn, plus params the rules share and
// a tests block of inputs with the decisions expected for them. Load reads
// and compiles files once; Policy.Evaluate gives one Decision per rule for
// a job, cheaply enough to run before every job.
//
// Build turns a planned job (pipeline types, with runs-on, containers and
// timeout already evaluated) into an Input; Gate is the hook the engine
// calls before each job (executor.Config.Admit): it resolves the commits
// of the job's uses: references when it can, evaluates, and turns deny
// decisions into error problems (the job fails before its first step) and
// warn decisions into warnings. Offline plans the jobs of a workflow
// without running them, for anvil policy test.
//
// It reads plan types only and never imports executor or runner; cmd and
// runner wire it in, and package audit records its decisions.
package policy
