package artifacts

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The twirp JSON of Gitea's artifact.proto, as protojson reads and writes
// it: requests may name fields by their proto names (what @actions/artifact
// sends) or their JSON names, int64 are strings or numbers, wrappers are
// bare values, timestamps RFC 3339; replies use JSON names, int64 as
// strings and leave out zero values. Unknown fields are ignored (newer
// clients send mime_type).

type protoFields map[string]json.RawMessage

func readProto(w http.ResponseWriter, r *http.Request) (protoFields, error) {
	var f protoFields
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err == nil {
		err = json.Unmarshal(data, &f)
	}
	return f, err
}

// get is the raw value of a field by its proto name or its JSON name.
func (f protoFields) get(name string) json.RawMessage {
	if v, ok := f[name]; ok && string(v) != "null" {
		return v
	}
	if v, ok := f[jsonName(name)]; ok && string(v) != "null" {
		return v
	}
	return nil
}

// jsonName is protoc's lowerCamelCase of a proto field name.
func jsonName(name string) string {
	var b strings.Builder
	up := false
	for _, c := range name {
		switch {
		case c == '_':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(c)))
			up = false
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func (f protoFields) str(name string) (string, error) {
	var s string
	if v := f.get(name); v != nil {
		if err := json.Unmarshal(v, &s); err != nil {
			return "", fmt.Errorf("field %s: %w", name, err)
		}
	}
	return s, nil
}

// optStr reads a google.protobuf.StringValue.
func (f protoFields) optStr(name string) (string, bool, error) {
	if f.get(name) == nil {
		return "", false, nil
	}
	s, err := f.str(name)
	return s, err == nil, err
}

// optInt64 reads an int64 or a google.protobuf.Int64Value.
func (f protoFields) optInt64(name string) (int64, bool, error) {
	v := f.get(name)
	if v == nil {
		return 0, false, nil
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		s = string(v)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("field %s: not an int64: %s", name, v)
	}
	return n, true, nil
}

// optTime reads a google.protobuf.Timestamp.
func (f protoFields) optTime(name string) (time.Time, bool, error) {
	s, ok, err := f.optStr(name)
	if !ok || err != nil {
		return time.Time{}, false, err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("field %s: %w", name, err)
	}
	return t, true, nil
}

// int64s is an int64 as protojson writes it: a string.
type int64s int64

func (n int64s) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatInt(int64(n), 10) + `"`), nil
}

type createArtifactResponse struct {
	Ok              bool   `json:"ok,omitempty"`
	SignedUploadURL string `json:"signedUploadUrl,omitempty"`
}

type finalizeArtifactResponse struct {
	Ok         bool   `json:"ok,omitempty"`
	ArtifactID int64s `json:"artifactId,omitempty"`
}

type listArtifactsResponse struct {
	Artifacts []monolithArtifact `json:"artifacts,omitempty"`
}

type monolithArtifact struct {
	WorkflowRunBackendID    string `json:"workflowRunBackendId,omitempty"`
	WorkflowJobRunBackendID string `json:"workflowJobRunBackendId,omitempty"`
	DatabaseID              int64s `json:"databaseId,omitempty"`
	Name                    string `json:"name,omitempty"`
	Size                    int64s `json:"size,omitempty"`
	CreatedAt               string `json:"createdAt,omitempty"`
}

type signedURLResponse struct {
	SignedURL string `json:"signedUrl,omitempty"`
}

type deleteArtifactResponse struct {
	Ok         bool   `json:"ok,omitempty"`
	ArtifactID int64s `json:"artifactId,omitempty"`
}
