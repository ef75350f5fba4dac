package pipeline

// Loader reads action.yml files and reusable workflows with ParseAction
// and ParseWorkflow. cmd and runner give it to the executor
// (executor.Config.Loader), which sees plan types only and never calls the
// parser itself.
type Loader struct{}

// LoadAction parses an action.yml read from file.
func (Loader) LoadAction(file string, data []byte) (*Action, error) { return ParseAction(file, data) }

// LoadWorkflow parses a reusable workflow read from file.
func (Loader) LoadWorkflow(file string, data []byte) (*Workflow, error) {
	return ParseWorkflow(file, data)
}
