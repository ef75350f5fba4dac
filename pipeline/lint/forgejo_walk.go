package lint

import (
	"reflect"
	"strings"

	"github.com/rhysd/actionlint"
)

// walkTree rewrites the expressions in every string of w.
func (a *adapter) walkTree(w *actionlint.Workflow) {
	a.walk(reflect.ValueOf(w))
}

// Types the walk treats specially.
var (
	stringType    = reflect.TypeFor[*actionlint.String]()
	rawStringType = reflect.TypeFor[*actionlint.RawYAMLString]()
)

// walk visits every string of the syntax tree under v and rewrites the
// expressions in it. The tree has no cycles; strings shared by two nodes
// are rewritten once.
func (a *adapter) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		switch v.Type() {
		case stringType:
			a.template(v.Interface().(*actionlint.String))
			return
		case rawStringType:
			a.rawString(v.Interface().(*actionlint.RawYAMLString))
			return
		}
		a.walk(v.Elem())
	case reflect.Interface:
		if !v.IsNil() {
			a.walk(v.Elem())
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				a.walk(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			a.walk(v.Index(i))
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			a.walk(it.Value())
		}
	}
}

// rawString rewrites the expressions in a matrix value.
func (a *adapter) rawString(s *actionlint.RawYAMLString) {
	if s == nil || s.Pos() == nil || !strings.Contains(s.Value, "${{") || !mentionsAlias(s.Value) {
		return
	}
	s.Value = a.rewriteTemplate(s.Value, s.Pos().Line, s.Pos().Col)
}
