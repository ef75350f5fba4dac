package argocdtest

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// swaggerSubset is Argo CD's own OpenAPI description trimmed to the
// endpoints the actions use (assets/swagger.json of argoproj/argo-cd at
// 37ee0097cf851bc2dd7665fc081bbce61a7e836e, Apache-2.0).
//
//go:embed swagger-subset.json
var swaggerSubset []byte

// Node is one schema of the swagger description: a $ref, or a type with
// its properties, items or additionalProperties.
type Node struct {
	Ref                  string           `json:"$ref"`
	Type                 string           `json:"type"`
	Format               string           `json:"format"`
	Properties           map[string]*Node `json:"properties"`
	Items                *Node            `json:"items"`
	AdditionalProperties *Node            `json:"additionalProperties"`
}

// RefName is the definition a $ref names, or "".
func (n *Node) RefName() string {
	return strings.TrimPrefix(n.Ref, "#/definitions/")
}

type parameter struct {
	Name   string `json:"name"`
	In     string `json:"in"`
	Schema *Node  `json:"schema"`
}

type operation struct {
	Parameters []parameter `json:"parameters"`
	Responses  map[string]struct {
		Schema *Node `json:"schema"`
	} `json:"responses"`
}

// Schema is the swagger subset, for checking the JSON the test server
// receives and sends and the fields the client names.
type Schema struct {
	Definitions map[string]*Node                 `json:"definitions"`
	Paths       map[string]map[string]*operation `json:"paths"`
}

// LoadSchema reads the embedded swagger subset.
func LoadSchema() (*Schema, error) {
	var s Schema
	if err := json.Unmarshal(swaggerSubset, &s); err != nil {
		return nil, fmt.Errorf("reading the embedded swagger subset: %w", err)
	}
	return &s, nil
}

// Definition returns the named definition, or nil.
func (s *Schema) Definition(name string) *Node {
	return s.Definitions[name]
}

// Resolve follows n's $ref, if any.
func (s *Schema) Resolve(n *Node) *Node {
	for n != nil && n.Ref != "" {
		n = s.Definitions[n.RefName()]
	}
	return n
}

// op returns the operation for method and the swagger path template.
func (s *Schema) op(method, path string) (*operation, error) {
	ops, ok := s.Paths[path]
	if !ok {
		return nil, fmt.Errorf("path %s is not in the swagger subset", path)
	}
	o, ok := ops[strings.ToLower(method)]
	if !ok {
		return nil, fmt.Errorf("%s %s is not in the swagger subset", method, path)
	}
	return o, nil
}

// RequestBody is the schema of the body parameter of method path.
func (s *Schema) RequestBody(method, path string) (*Node, error) {
	o, err := s.op(method, path)
	if err != nil {
		return nil, err
	}
	for _, p := range o.Parameters {
		if p.In == "body" {
			return p.Schema, nil
		}
	}
	return nil, fmt.Errorf("%s %s takes no body", method, path)
}

// QueryParams lists the query parameters method path accepts.
func (s *Schema) QueryParams(method, path string) (map[string]bool, error) {
	o, err := s.op(method, path)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, p := range o.Parameters {
		if p.In == "query" {
			out[p.Name] = true
		}
	}
	return out, nil
}

// Response is the schema of method path's answer with status: "200" for a
// success, "default" for errors.
func (s *Schema) Response(method, path string, status int) (*Node, error) {
	o, err := s.op(method, path)
	if err != nil {
		return nil, err
	}
	key := "default"
	if status == 200 {
		key = "200"
	}
	r, ok := o.Responses[key]
	if !ok || r.Schema == nil {
		return nil, fmt.Errorf("%s %s has no %s response", method, path, key)
	}
	return r.Schema, nil
}

// Validate checks a JSON document against n and returns one message per
// problem: a field the schema does not have, or a value of the wrong type.
func (s *Schema) Validate(n *Node, data []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{fmt.Sprintf("not JSON: %v", err)}
	}
	var problems []string
	s.check(n, v, "$", &problems)
	return problems
}

func (s *Schema) check(n *Node, v any, path string, out *[]string) {
	n = s.Resolve(n)
	if n == nil {
		*out = append(*out, fmt.Sprintf("%s: no schema (dangling $ref)", path))
		return
	}
	if v == nil {
		return // null is how gateways write absent messages
	}
	bad := func(want string) {
		*out = append(*out, fmt.Sprintf("%s: %s is not %s", path, describe(v), want))
	}
	switch n.Type {
	case "object", "":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("an object")
			return
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := n.Properties[k]; ok {
				s.check(p, obj[k], path+"."+k, out)
				continue
			}
			if n.AdditionalProperties != nil {
				s.check(n.AdditionalProperties, obj[k], path+"."+k, out)
				continue
			}
			*out = append(*out, fmt.Sprintf("%s.%s: field not in the schema", path, k))
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			bad("an array")
			return
		}
		for i, e := range arr {
			s.check(n.Items, e, fmt.Sprintf("%s[%d]", path, i), out)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("a string")
			return
		}
		switch n.Format {
		case "date-time":
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				bad("an RFC 3339 time")
			}
		case "byte":
			if _, err := base64.StdEncoding.DecodeString(str); err != nil {
				bad("base64")
			}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("a boolean")
		}
	case "integer":
		num, ok := v.(json.Number)
		if !ok {
			bad("an integer")
			return
		}
		if _, err := num.Int64(); err != nil {
			bad("an integer")
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			bad("a number")
		}
	default:
		*out = append(*out, fmt.Sprintf("%s: schema type %q is unknown", path, n.Type))
	}
}

func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case json.Number:
		return v.String()
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	default:
		return fmt.Sprintf("%v", v)
	}
}
