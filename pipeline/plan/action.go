package plan

// Action is a parsed action.yml (or action.yaml) as plain data.
type Action struct {
	File        string                  `json:"file"`
	Name        string                  `json:"name"`
	Description string                  `json:"description,omitempty"`
	Inputs      map[string]ActionInput  `json:"inputs,omitempty"`
	Outputs     map[string]ActionOutput `json:"outputs,omitempty"`
	Runs        ActionRuns              `json:"runs"`
}

// ActionInput is one declared input of an action.
type ActionInput struct {
	Description        string `json:"description,omitempty"`
	Required           bool   `json:"required,omitempty"`
	Default            string `json:"default,omitempty"`
	DeprecationMessage string `json:"deprecationMessage,omitempty"`
}

// ActionOutput is one declared output; Value is set for composite actions.
type ActionOutput struct {
	Description string `json:"description,omitempty"`
	Value       string `json:"value,omitempty"`
}

// ActionRuns is the runs: block. Using is "composite", "node20", "node24",
// "node16", "node12" or "docker".
type ActionRuns struct {
	Using string `json:"using"`
	// Node actions.
	Main   string `json:"main,omitempty"`
	Pre    string `json:"pre,omitempty"`
	PreIf  string `json:"pre-if,omitempty"`
	Post   string `json:"post,omitempty"`
	PostIf string `json:"post-if,omitempty"`
	// Composite actions.
	Steps []*Step `json:"steps,omitempty"`
	// Docker actions.
	Image          string            `json:"image,omitempty"`
	Env            map[string]string `json:"env,omitempty"`
	Args           []string          `json:"args,omitempty"`
	Entrypoint     string            `json:"entrypoint,omitempty"`
	PreEntrypoint  string            `json:"pre-entrypoint,omitempty"`
	PostEntrypoint string            `json:"post-entrypoint,omitempty"`
}
