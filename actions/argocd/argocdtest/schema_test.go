package argocdtest

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	s, err := LoadSchema()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		def  string
		json string
		want []string
	}{
		{"valid sync request", "applicationApplicationSyncRequest", `{"name":"web","revision":"abc","prune":true,"resources":[{"kind":"Deployment","name":"web"}],"syncOptions":{"items":["CreateNamespace=true"]},"retryStrategy":{"limit":2,"backoff":{"duration":"5s","factor":2}}}`, nil},
		{"unknown field", "applicationApplicationSyncRequest", `{"name":"web","force":true}`, []string{"$.force: field not in the schema"}},
		{"nested unknown field", "applicationApplicationSyncRequest", `{"resources":[{"kind":"Deployment","nam":"web"}]}`, []string{"$.resources[0].nam: field not in the schema"}},
		{"wrong type", "applicationApplicationSyncRequest", `{"prune":"yes"}`, []string{`$.prune: "yes" is not a boolean`}},
		{"int64 as a string", "v1alpha1RetryStrategy", `{"limit":"2"}`, []string{`$.limit: "2" is not an integer`}},
		{"fraction", "v1alpha1RetryStrategy", `{"limit":1.5}`, []string{`$.limit: 1.5 is not an integer`}},
		{"bad time", "v1alpha1ApplicationStatus", `{"reconciledAt":"yesterday"}`, []string{`$.reconciledAt: "yesterday" is not an RFC 3339 time`}},
		{"labels map", "v1ObjectMeta", `{"labels":{"a":"b"},"annotations":{"c":1}}`, []string{`$.annotations.c: 1 is not a string`}},
		{"empty object schema", "applicationOperationTerminateResponse", `{"x":1}`, []string{"$.x: field not in the schema"}},
		{"not an object", "runtimeError", `[1]`, []string{"$: an array is not an object"}},
		{"nulls pass", "v1alpha1Application", `{"operation":null}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := s.Validate(s.Definition(tt.def), []byte(tt.json))
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Validate(%s, %s) = %q, want %q", tt.def, tt.json, got, tt.want)
			}
		})
	}
}
