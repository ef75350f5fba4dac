package expr

import "fmt"

// arity is how many arguments a function takes; max < 0 means no limit.
type arity struct{ min, max int }

// functions lists the functions an expression may call, by lower-cased name.
var functions = map[string]arity{
	"contains":   {2, 2},
	"startswith": {2, 2},
	"endswith":   {2, 2},
	"format":     {1, -1},
	"join":       {1, 2},
	"tojson":     {1, 1},
	"fromjson":   {1, 1},
	"hashfiles":  {1, -1},
	"success":    {0, 0},
	"failure":    {0, 0},
	"cancelled":  {0, 0},
	"always":     {0, 0},
}

// knownFunctions lists the function names for error messages.
const knownFunctions = "contains, startsWith, endsWith, format, join, toJSON, fromJSON, hashFiles, success, failure, cancelled, always"

// checkArity reports a function call closed with the wrong number of
// arguments, or with fewer arguments than its literal format string uses.
func checkArity(f frame) error {
	if f.fn == "" {
		return nil
	}
	args := 0
	if f.nonEmpty {
		args = f.commas + 1
	}
	if f.formatArgs >= 0 && args-1 < f.formatArgs {
		return &invalidError{msg: fmt.Sprintf("format string %q references argument {%d} but only %d argument(s) follow it", f.formatString, f.formatArgs-1, args-1)}
	}
	want := functions[f.fn]
	switch {
	case args < want.min && want.max < 0:
		return &invalidError{msg: fmt.Sprintf("%s() takes at least %d argument(s), got %d", f.name, want.min, args)}
	case args < want.min || (want.max >= 0 && args > want.max):
		if want.min == want.max {
			return &invalidError{msg: fmt.Sprintf("%s() takes %d argument(s), got %d", f.name, want.min, args)}
		}
		return &invalidError{msg: fmt.Sprintf("%s() takes %d to %d arguments, got %d", f.name, want.min, want.max, args)}
	}
	return nil
}

// statusValue returns the value of a status function, and false for any
// other function. The formulas are the same at step and job level: Status
// already holds the view of the level being evaluated.
func (c *Contexts) statusValue(name string) (bool, bool) {
	switch name {
	case "success":
		return c.success(), true
	case "failure":
		return c.Status.Failed, true
	case "cancelled":
		return c.Status.Cancelled, true
	case "always":
		return true, true
	}
	return false, false
}

// success is success(): nothing failed or was skipped, and the run was not
// cancelled.
func (c *Contexts) success() bool {
	return !c.Status.Failed && !c.Status.Cancelled && !c.Status.Skipped
}
