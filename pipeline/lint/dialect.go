package lint

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rhysd/actionlint"

	"codeberg.org/anvil-ci/anvil/pipeline"
)

// check is what one file's actionlint findings are judged against.
type check struct {
	// src is the text actionlint read (aliases expanded), whose lines
	// and columns its findings carry.
	src []byte
	// task: the file is a forge task's payload.
	task bool
	// outside are the lower-case ids of jobs the file's jobs need, or
	// read needs.<id> of, that are not in the file (tasks only).
	outside map[string]bool
	// conditions are the line spans of the jobs' and steps' if:.
	conditions []span
	// locator names the top-level key of a line; made when needed.
	locator *pipeline.Locator
}

// span is a range of lines, first and last included.
type span struct{ first, last int }

// newCheck reads what judging findings needs from the parsed workflow.
func newCheck(w *actionlint.Workflow, src []byte, task bool) *check {
	c := &check{src: src, task: task}
	for _, j := range w.Jobs {
		if j == nil {
			continue
		}
		c.addCondition(j.If)
		for _, s := range j.Steps {
			if s != nil {
				c.addCondition(s.If)
			}
		}
	}
	if task {
		c.outside = externalNeeds(w)
		for _, id := range neededInExpressions(src) {
			if w.Jobs[id] == nil {
				c.outside[id] = true
			}
		}
	}
	return c
}

// addCondition records the lines of an if: value.
func (c *check) addCondition(s *actionlint.String) {
	if s == nil || s.Pos == nil {
		return
	}
	// A block scalar starts on the line after its indicator.
	c.conditions = append(c.conditions, span{first: s.Pos.Line, last: s.Pos.Line + strings.Count(s.Value, "\n") + 1})
}

// inCondition reports whether line is in a job's or step's if:, where
// Forgejo offers the secrets context (GitHub does not).
func (c *check) inCondition(line int) bool {
	for _, s := range c.conditions {
		if line >= s.first && line <= s.last {
			return true
		}
	}
	return false
}

// inOn reports whether line is under the workflow's on: key.
func (c *check) inOn(line int) bool {
	if c.locator == nil {
		c.locator = pipeline.LocateIn(c.src)
	}
	return c.locator.Where(line) == `key "on"`
}

// cronDescriptors are the schedules besides five cron fields that Gitea
// and Forgejo accept (robfig/cron's descriptors); actionlint knows only
// the fields.
var cronDescriptors = []string{"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}

// cronDescriptor reports whether msg is actionlint's "invalid CRON format"
// about a descriptor Gitea and Forgejo accept: one of cronDescriptors, or
// @every with a duration.
func cronDescriptor(msg string) bool {
	rest, ok := strings.CutPrefix(msg, "invalid CRON format ")
	if !ok {
		return false
	}
	names := quotedNames(rest)
	if len(names) == 0 {
		return false
	}
	spec, err := strconv.Unquote(names[0])
	if err != nil {
		return false
	}
	spec = strings.TrimSpace(spec)
	for _, d := range cronDescriptors {
		if spec == d {
			return true
		}
	}
	if every, ok := strings.CutPrefix(spec, "@every "); ok {
		d, err := time.ParseDuration(strings.TrimSpace(every))
		return err == nil && d > 0
	}
	return false
}

// quotedLiteral reports whether e is actionlint's objection to a quoted
// scalar ("false", "2") where it wants a boolean or a number, and the text
// is one: Gitea and Forgejo send fail-fast, max-parallel, timeout-minutes
// and continue-on-error of a task as strings, and GitHub reads them.
func (c *check) quotedLiteral(e *actionlint.Error) bool {
	kind, ok := strings.CutPrefix(e.Message, "expecting a single ${{...}} expression or ")
	if !ok {
		return false
	}
	text, ok := quotedAt(c.src, e.Line, e.Column)
	if !ok {
		return false
	}
	text = strings.TrimSpace(text)
	switch {
	case strings.HasPrefix(kind, "boolean literal"):
		return text == "true" || text == "false"
	case strings.HasPrefix(kind, "integer literal"):
		_, err := strconv.Atoi(text)
		return err == nil
	case strings.HasPrefix(kind, "float number literal"):
		_, err := strconv.ParseFloat(text, 64)
		return err == nil
	}
	return false
}

// quotedAt returns the text of the one-line quoted scalar at line and
// column of src.
func quotedAt(src []byte, line, col int) (string, bool) {
	lines := strings.Split(string(src), "\n")
	if line < 1 || line > len(lines) {
		return "", false
	}
	text := lines[line-1]
	at := byteColumn(text, col)
	if at < 0 || (text[at] != '"' && text[at] != '\'') {
		return "", false
	}
	end := strings.IndexByte(text[at+1:], text[at])
	if end < 0 {
		return "", false
	}
	return text[at+1 : at+1+end], true
}

// needsRef finds needs.<job> in expressions.
var needsRef = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\bneeds\s*\.\s*([a-z_][a-z0-9_-]*)`) })

// neededInExpressions returns the lower-case job ids that src reads as
// needs.<id>. In a forge task the needs: key is gone (the forge sends the
// results of needed jobs with the task), so these are the needs.
func neededInExpressions(src []byte) []string {
	var out []string
	for _, m := range needsRef().FindAllSubmatch(src, -1) {
		out = append(out, strings.ToLower(string(m[1])))
	}
	return out
}
