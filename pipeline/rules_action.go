package pipeline

// The shape of an action.yml. Unknown top-level keys are allowed, as
// published actions sometimes carry extra metadata; runs and steps are
// checked strictly.

// actionUsings are the runs.using values anvil runs.
var actionUsings = []string{"composite", "node12", "node16", "node20", "node24", "docker"}

var (
	compositeStepRule = stepRule

	actionRunsRule = &rule{what: "a mapping with using", keys: map[string]*rule{
		"using":           textRule,
		"main":            textRule,
		"pre":             textRule,
		"pre-if":          textRule,
		"post":            textRule,
		"post-if":         textRule,
		"steps":           &rule{what: "a list of steps", list: compositeStepRule},
		"image":           textRule,
		"env":             textMapRule,
		"args":            listRule,
		"entrypoint":      textRule,
		"pre-entrypoint":  textRule,
		"post-entrypoint": textRule,
	}}

	actionRule = &rule{what: "a mapping with name and runs", open: true, keys: map[string]*rule{
		"name":        textRule,
		"description": textRule,
		"author":      textRule,
		"inputs": {what: "a mapping of input names to inputs", values: &rule{what: "a mapping", keys: map[string]*rule{
			"description":        textRule,
			"required":           boolRule,
			"default":            textRule,
			"deprecationMessage": textRule,
		}}},
		"outputs": {what: "a mapping of output names to outputs", values: &rule{what: "a mapping", keys: map[string]*rule{
			"description": textRule,
			"value":       textRule,
		}}},
		"runs":     actionRunsRule,
		"branding": anyRule,
	}}
)
