package lint

import (
	"reflect"
	"strings"

	"github.com/rhysd/actionlint"
)

// walkTree rewrites the expressions in every string of w.
func (a *adapter) walkTree(w *actionlint.Workflow) {
	walkStrings(reflect.ValueOf(w), a.template, a.rawString)
}

// Types walkStrings treats specially.
var (
	stringType    = reflect.TypeFor[*actionlint.String]()
	rawStringType = reflect.TypeFor[*actionlint.RawYAMLString]()
)

// walkStrings calls str for every *actionlint.String and raw for every
// *actionlint.RawYAMLString of the syntax tree under v (the tree has no
// cycles; a string shared by two nodes is passed twice).
func walkStrings(v reflect.Value, str func(*actionlint.String), raw func(*actionlint.RawYAMLString)) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		switch v.Type() {
		case stringType:
			str(v.Interface().(*actionlint.String))
			return
		case rawStringType:
			raw(v.Interface().(*actionlint.RawYAMLString))
			return
		}
		walkStrings(v.Elem(), str, raw)
	case reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), str, raw)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				walkStrings(v.Field(i), str, raw)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkStrings(v.Index(i), str, raw)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			walkStrings(it.Value(), str, raw)
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
