package argocd_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"codeberg.org/anvil-ci/anvil/actions/argocd"
	"codeberg.org/anvil-ci/anvil/actions/argocd/argocdtest"
)

// TestContract checks that every JSON field of the API types (what the
// client reads and writes, and the test server sends) exists in Argo CD's
// swagger definitions with a matching type.
func TestContract(t *testing.T) {
	t.Parallel()
	s, err := argocdtest.LoadSchema()
	if err != nil {
		t.Fatal(err)
	}
	stream, err := s.Response("GET", "/api/v1/stream/applications", 200)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		value any
		node  *argocdtest.Node
	}{
		{argocd.Application{}, s.Definition("v1alpha1Application")},
		{argocd.SyncRequest{}, s.Definition("applicationApplicationSyncRequest")},
		{argocd.SessionCreateRequest{}, s.Definition("sessionSessionCreateRequest")},
		{argocd.SessionResponse{}, s.Definition("sessionSessionResponse")},
		{argocd.RuntimeError{}, s.Definition("runtimeError")},
		{argocd.VersionMessage{}, s.Definition("versionVersionMessage")},
		{argocd.WatchResult{}, stream},
	}
	for _, tt := range tests {
		typ := reflect.TypeOf(tt.value)
		t.Run(typ.Name(), func(t *testing.T) {
			t.Parallel()
			if tt.node == nil {
				t.Fatalf("no swagger definition for %s", typ)
			}
			for _, p := range checkType(s, typ, tt.node, typ.Name(), map[reflect.Type]bool{}) {
				t.Error(p)
			}
		})
	}
}

// checkType walks typ's JSON fields along the schema node.
func checkType(s *argocdtest.Schema, typ reflect.Type, node *argocdtest.Node, path string, seen map[reflect.Type]bool) []string {
	node = s.Resolve(node)
	if node == nil {
		return []string{path + ": dangling $ref"}
	}
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	bad := func(want string) []string {
		return []string{fmt.Sprintf("%s: Go %s but swagger %q", path, typ, want)}
	}
	switch typ.Kind() {
	case reflect.Struct:
		if node.Type != "object" && node.Type != "" {
			return bad(node.Type)
		}
		if seen[typ] {
			return nil
		}
		seen[typ] = true
		defer delete(seen, typ)
		var problems []string
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				problems = append(problems, fmt.Sprintf("%s.%s: no json name", path, f.Name))
				continue
			}
			prop, ok := node.Properties[name]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s.%s: not in the swagger definition", path, name))
				continue
			}
			problems = append(problems, checkType(s, f.Type, prop, path+"."+name, seen)...)
		}
		return problems
	case reflect.Slice:
		if node.Type != "array" {
			return bad(node.Type)
		}
		return checkType(s, typ.Elem(), node.Items, path+"[]", seen)
	case reflect.Map:
		if node.Type != "object" || node.AdditionalProperties == nil {
			return bad(node.Type)
		}
		return checkType(s, typ.Elem(), node.AdditionalProperties, path+"{}", seen)
	case reflect.String:
		if node.Type != "string" {
			return bad(node.Type)
		}
	case reflect.Bool:
		if node.Type != "boolean" {
			return bad(node.Type)
		}
	case reflect.Int, reflect.Int32, reflect.Int64:
		if node.Type != "integer" {
			return bad(node.Type)
		}
	case reflect.Interface:
	default:
		return bad(node.Type)
	}
	return nil
}

// TestContractCatchesStrays makes sure the walk above reports fields and
// types the swagger does not have.
func TestContractCatchesStrays(t *testing.T) {
	t.Parallel()
	s, err := argocdtest.LoadSchema()
	if err != nil {
		t.Fatal(err)
	}
	type stray struct {
		Metadata struct {
			Name  string `json:"name"`
			Color string `json:"color"`
		} `json:"metadata"`
		Spec bool `json:"spec"`
	}
	got := checkType(s, reflect.TypeOf(stray{}), s.Definition("v1alpha1Application"), "stray", map[reflect.Type]bool{})
	want := []string{`stray.metadata.color: not in the swagger definition`, `stray.spec: Go bool but swagger "object"`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("checkType(stray) = %q, want %q", got, want)
	}
}
