package pipeline

// The rules below are the shape of a workflow file: GitHub's syntax plus
// Forgejo's additions (enable-email-notifications, services' cmd). They are
// read-only tables; semantic checks (ids, needs, run/uses) live in the
// parse_*.go files. A key they do not list is a warning, not an error.

var (
	textRule    = &rule{what: "a string", scalar: anyScalar}
	boolRule    = &rule{what: "a boolean or an expression", scalar: boolScalar}
	numberRule  = &rule{what: "a number or an expression", scalar: numberScalar}
	textsRule   = &rule{what: "a string or a list of strings", scalar: anyScalar, list: textRule}
	listRule    = &rule{what: "a list of strings", list: textRule}
	textMapRule = &rule{what: "a mapping of names to strings", values: textRule}
	anyRule     = newAnyRule()
	idRule      = &rule{what: "a job id", scalar: stringScalar}
	idsRule     = &rule{what: "a job id or a list of job ids", scalar: stringScalar, list: idRule}

	runDefaultsRule = &rule{what: "a mapping", keys: map[string]*rule{
		"shell":             textRule,
		"working-directory": textRule,
	}}
	defaultsRule = &rule{what: "a mapping with run", keys: map[string]*rule{
		"run": runDefaultsRule,
	}}
	permissionsRule = &rule{what: "read-all, write-all or a mapping of scopes to read, write or none",
		scalar: anyScalar, values: textRule}
	concurrencyRule = &rule{what: "a string or a mapping with group and cancel-in-progress",
		scalar: anyScalar, keys: map[string]*rule{
			"group":              textRule,
			"cancel-in-progress": boolRule,
			// GitHub's queue of pending runs (queue: max); Forgejo
			// ignores it, and so does anvil.
			"queue": textRule,
		}}
	environmentRule = &rule{what: "a string or a mapping with name and url",
		scalar: anyScalar, keys: map[string]*rule{
			"name": textRule,
			"url":  textRule,
		}}

	workflowRule = &rule{what: "a mapping with on and jobs", keys: map[string]*rule{
		"name":                       textRule,
		"run-name":                   textRule,
		"on":                         onRule,
		"env":                        textMapRule,
		"defaults":                   defaultsRule,
		"jobs":                       &rule{what: "a mapping of job ids to jobs", values: jobRule},
		"permissions":                permissionsRule,
		"concurrency":                concurrencyRule,
		"enable-email-notifications": boolRule,
	}}
)

// Jobs, steps and what they contain.
var (
	stepRule = &rule{what: "a mapping", keys: map[string]*rule{
		"id":                textRule,
		"if":                textRule,
		"name":              textRule,
		"uses":              textRule,
		"run":               textRule,
		"working-directory": textRule,
		"shell":             textRule,
		"env":               textMapRule,
		"with":              textMapRule,
		"continue-on-error": boolRule,
		"timeout-minutes":   numberRule,
	}}

	containerKeys = map[string]*rule{
		"image":   textRule,
		"env":     textMapRule,
		"ports":   listRule,
		"volumes": listRule,
		"options": textRule,
		"credentials": &rule{what: "a mapping with username and password", keys: map[string]*rule{
			"username": textRule,
			"password": textRule,
		}},
	}
	containerRule = &rule{what: "an image name or a mapping with image", scalar: anyScalar, keys: containerKeys}
	serviceRule   = &rule{what: "a mapping with image", keys: withKey(containerKeys, "cmd", textsRule)}

	matrixListRule = &rule{what: "a list or an expression", scalar: exprScalar, list: anyRule}
	matrixRule     = &rule{what: "a mapping or an expression", scalar: exprScalar,
		keys: map[string]*rule{
			"include": {what: "a list of mappings or an expression", scalar: exprScalar, list: &rule{what: "a mapping", values: anyRule}},
			"exclude": {what: "a list of mappings or an expression", scalar: exprScalar, list: &rule{what: "a mapping", values: anyRule}},
		},
		values: matrixListRule,
	}
	strategyRule = &rule{what: "a mapping with matrix, fail-fast or max-parallel", keys: map[string]*rule{
		"matrix":       matrixRule,
		"fail-fast":    boolRule,
		"max-parallel": numberRule,
	}}

	runsOnRule = &rule{what: "a string, a list of strings or a mapping with group and labels",
		scalar: anyScalar, list: textRule, keys: map[string]*rule{
			"group":  textRule,
			"labels": textsRule,
		}}

	jobRule = &rule{what: "a mapping", keys: map[string]*rule{
		"name":              textRule,
		"needs":             idsRule,
		"runs-on":           runsOnRule,
		"env":               textMapRule,
		"if":                textRule,
		"steps":             &rule{what: "a list of steps", list: stepRule},
		"timeout-minutes":   numberRule,
		"services":          &rule{what: "a mapping of service names to services", values: serviceRule},
		"strategy":          strategyRule,
		"container":         containerRule,
		"defaults":          defaultsRule,
		"outputs":           textMapRule,
		"uses":              textRule,
		"with":              textMapRule,
		"secrets":           &rule{what: "inherit or a mapping of names to strings", scalar: anyScalar, values: textRule},
		"permissions":       permissionsRule,
		"concurrency":       concurrencyRule,
		"continue-on-error": boolRule,
		"environment":       environmentRule,
	}}
)

// Triggers under on:.
var (
	inputRule = &rule{what: "a mapping", keys: map[string]*rule{
		"description": textRule,
		"required":    boolRule,
		"default":     textRule,
		"type":        textRule,
		"options":     listRule,
	}}
	branchFilters = map[string]*rule{
		"branches":        textsRule,
		"branches-ignore": textsRule,
		"paths":           textsRule,
		"paths-ignore":    textsRule,
		"types":           textsRule,
	}
	typesOnly = &rule{what: "a mapping with types", keys: map[string]*rule{"types": textsRule}}
	// refFilters are the filters GitHub accepts on create (which, as
	// Gitea and Forgejo, it does not apply) and on merge_group.
	refFilters = &rule{what: "a mapping of filters", keys: map[string]*rule{
		"types":           textsRule,
		"branches":        textsRule,
		"branches-ignore": textsRule,
		"tags":            textsRule,
		"tags-ignore":     textsRule,
	}}

	eventRules = map[string]*rule{
		"push": {what: "a mapping of filters", keys: map[string]*rule{
			"branches":        textsRule,
			"branches-ignore": textsRule,
			"tags":            textsRule,
			"tags-ignore":     textsRule,
			"paths":           textsRule,
			"paths-ignore":    textsRule,
		}},
		"pull_request":        {what: "a mapping of filters", keys: branchFilters},
		"pull_request_target": {what: "a mapping of filters", keys: branchFilters},
		"workflow_run": {what: "a mapping of filters", keys: map[string]*rule{
			"types":           textsRule,
			"workflows":       textsRule,
			"branches":        textsRule,
			"branches-ignore": textsRule,
		}},
		"workflow_dispatch": {what: "a mapping with inputs", keys: map[string]*rule{
			"inputs": {what: "a mapping of input names to inputs", values: inputRule},
		}},
		"workflow_call": {what: "a mapping with inputs, outputs and secrets", keys: map[string]*rule{
			"inputs": {what: "a mapping of input names to inputs", values: inputRule},
			"outputs": {what: "a mapping of output names to outputs", values: &rule{what: "a mapping with value", keys: map[string]*rule{
				"description": textRule,
				"value":       textRule,
			}}},
			"secrets": {what: "a mapping of secret names to secrets", values: &rule{what: "a mapping", keys: map[string]*rule{
				"description": textRule,
				"required":    boolRule,
			}}},
		}},
		"schedule": {what: "a list of cron entries", list: &rule{what: "a mapping with cron", keys: map[string]*rule{
			"cron": textRule,
		}}},
		"branch_protection_rule":      typesOnly,
		"check_run":                   typesOnly,
		"check_suite":                 typesOnly,
		"create":                      refFilters,
		"delete":                      typesOnly,
		"deployment":                  typesOnly,
		"deployment_status":           typesOnly,
		"discussion":                  typesOnly,
		"discussion_comment":          typesOnly,
		"fork":                        typesOnly,
		"gollum":                      typesOnly,
		"issue_comment":               typesOnly,
		"issues":                      typesOnly,
		"label":                       typesOnly,
		"merge_group":                 refFilters,
		"milestone":                   typesOnly,
		"page_build":                  typesOnly,
		"project":                     typesOnly,
		"project_card":                typesOnly,
		"project_column":              typesOnly,
		"public":                      typesOnly,
		"pull_request_comment":        typesOnly,
		"pull_request_review":         typesOnly,
		"pull_request_review_comment": typesOnly,
		"registry_package":            typesOnly,
		"release":                     typesOnly,
		"repository_dispatch":         typesOnly,
		"status":                      typesOnly,
		"watch":                       typesOnly,
	}

	onRule = &rule{what: "an event name, a list of event names or a mapping of events",
		scalar: anyScalar, list: textRule, keys: eventRules, noun: "event"}
)

// newAnyRule returns a rule that accepts any value.
func newAnyRule() *rule {
	r := &rule{what: "any value", scalar: anyScalar, open: true}
	r.list = r
	r.values = r
	return r
}

// withKey returns a copy of keys with one more key.
func withKey(keys map[string]*rule, key string, r *rule) map[string]*rule {
	out := make(map[string]*rule, len(keys)+1)
	for k, v := range keys {
		out[k] = v
	}
	out[key] = r
	return out
}
