package pipeline

import (
	"cmp"
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/pipeline/plan"
)

// problems collects Problems for one file while it is checked.
type problems struct {
	file string
	list plan.Errors
	// externalNeeds accepts needs naming jobs outside the file (tasks).
	externalNeeds bool
	// locate, when set, names each problem's job and step (tasks).
	locate *Locator
}

// add records a problem at node n (or at the file start when n is nil).
func (p *problems) add(n *yaml.Node, format string, args ...any) {
	pos := plan.Position{File: p.file, Line: 1, Column: 1}
	if n != nil && n.Line > 0 {
		pos.Line, pos.Column = n.Line, n.Column
	}
	p.list = append(p.list, plan.Problem{Pos: pos, Message: fmt.Sprintf(format, args...)})
}

// err returns the problems sorted by position, or nil when there are none.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	slices.SortStableFunc(p.list, func(a, b plan.Problem) int {
		if c := cmp.Compare(a.Pos.Line, b.Pos.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Pos.Column, b.Pos.Column)
	})
	return p.list
}
