package terraform

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Counts are the resource changes of a plan, counted as Terraform's
// "Plan: N to add, N to change, N to destroy" counts them: a replacement
// is one add and one destroy.
type Counts struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
}

// ResourceChange is one planned change of a managed resource.
type ResourceChange struct {
	Address string `json:"address"`
	// Action is create, update, delete, replace or no-op.
	Action string `json:"action"`
}

// PlanSummary is what the actions read from "terraform show -json PLAN".
type PlanSummary struct {
	TerraformVersion string
	Counts           Counts
	// Changes lists the resources that change (no-ops and reads left out),
	// in the plan's order.
	Changes []ResourceChange
	// OutputChanges names the root outputs that change.
	OutputChanges []string
	// Drift lists resources changed outside Terraform (resource_drift).
	Drift []ResourceChange
}

// showPlan is the subset of the JSON plan representation the actions use
// (format_version 1.x).
type showPlan struct {
	FormatVersion    string       `json:"format_version"`
	TerraformVersion string       `json:"terraform_version"`
	ResourceChanges  []showChange `json:"resource_changes"`
	ResourceDrift    []showChange `json:"resource_drift"`
	OutputChanges    map[string]struct {
		Actions []string `json:"actions"`
	} `json:"output_changes"`
}

type showChange struct {
	Address string `json:"address"`
	Mode    string `json:"mode"`
	Change  struct {
		Actions []string `json:"actions"`
	} `json:"change"`
}

// ParsePlanJSON reads the output of "terraform show -json PLAN".
func ParsePlanJSON(data []byte) (*PlanSummary, error) {
	var p showPlan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("reading terraform show -json: %w", err)
	}
	if major, _, _ := strings.Cut(p.FormatVersion, "."); major != "1" {
		return nil, fmt.Errorf("terraform show -json has format_version %q; this action reads 1.x (Terraform 1.x)", p.FormatVersion)
	}
	s := &PlanSummary{TerraformVersion: p.TerraformVersion}
	for _, rc := range p.ResourceChanges {
		if rc.Mode != "managed" {
			continue
		}
		action := actionName(rc.Change.Actions)
		switch action {
		case "create":
			s.Counts.Add++
		case "update":
			s.Counts.Change++
		case "delete":
			s.Counts.Destroy++
		case "replace":
			s.Counts.Add++
			s.Counts.Destroy++
		default:
			continue
		}
		s.Changes = append(s.Changes, ResourceChange{Address: rc.Address, Action: action})
	}
	for _, rc := range p.ResourceDrift {
		s.Drift = append(s.Drift, ResourceChange{Address: rc.Address, Action: actionName(rc.Change.Actions)})
	}
	for name, oc := range p.OutputChanges {
		if a := actionName(oc.Actions); a != "no-op" && a != "read" {
			s.OutputChanges = append(s.OutputChanges, name)
		}
	}
	slices.Sort(s.OutputChanges)
	return s, nil
}

// actionName names a change's action list: ["delete","create"] and
// ["create","delete"] are a replace.
func actionName(actions []string) string {
	switch {
	case len(actions) == 1:
		return actions[0]
	case len(actions) == 2 && slices.Contains(actions, "create") && slices.Contains(actions, "delete"):
		return "replace"
	}
	return strings.Join(actions, ",")
}
