package main

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{name: "nothing", body: " \n", want: "empty"},
		{name: "text", body: "Error artifact not found\n", want: `text "Error artifact not found"`},
		{name: "long text", body: strings.Repeat("x", 120), want: `text "` + strings.Repeat("x", 100) + `..."`},
		{name: "json string", body: `"appended"`, want: `json "appended"`},
		{name: "object", body: `{"ok":true,"signedUploadUrl":"http://x","artifactId":"7"}`, want: "json {artifactId:str,ok:true,signedUploadUrl:str}"},
		{name: "empty object", body: `{}`, want: "json {}"},
		{name: "list", body: `{"count":2,"value":[{"name":"a"},{"name":"b"}]}`, want: "json {count:num,value:[2x{name:str}]}"},
		{name: "empty list and null", body: `{"value":[],"x":null}`, want: "json {value:[],x:null}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := shape([]byte(tt.body)); got != tt.want {
				t.Errorf("shape(%q) = %s, want %s", tt.body, got, tt.want)
			}
		})
	}
}

func TestBackendIDs(t *testing.T) {
	t.Parallel()
	jwt := func(claims string) string {
		return "e30." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".sig"
	}
	tests := []struct {
		name, token, run, job string
		ok                    bool
	}{
		{name: "Gitea's token", token: jwt(`{"scp":"Actions.Results:12:34 Actions.UploadArtifacts:12:34","TaskID":34}`), run: "12", job: "34", ok: true},
		{name: "no Actions.Results scope", token: jwt(`{"scp":"Actions.UploadArtifacts:1:2"}`)},
		{name: "not a JWT", token: "anv1.abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			run, job, err := backendIDs(tt.token)
			if (err == nil) != tt.ok || run != tt.run || job != tt.job {
				t.Errorf("backendIDs = %q, %q, %v, want %q, %q, ok %v", run, job, err, tt.run, tt.job, tt.ok)
			}
		})
	}
}
