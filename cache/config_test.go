package cache_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"codeberg.org/anvil-ci/anvil/cache"
)

// A forgejo-runner config's cache: section loads unchanged.
func TestConfigReadsForgejoRunnerSection(t *testing.T) {
	t.Parallel()
	const forgejo = `
cache:
  enabled: false
  dir: some/directory
  host: 10.0.0.5
  port: 8080
  proxy_port: 8081
  external_server: https://external.example.com/
  actions_cache_url_override: https://override.example.com/
  secret: vruvRdu5Rm
  secret_url:
  max_size: 20GiB
  max_age: 72h
`
	var doc struct {
		Cache cache.Config `yaml:"cache"`
	}
	if err := yaml.Unmarshal([]byte(forgejo), &doc); err != nil {
		t.Fatalf("yaml.Unmarshal() = %v", err)
	}
	off := false
	want := cache.Config{
		Enabled: &off, Dir: "some/directory", Host: "10.0.0.5", Port: 8080, ProxyPort: 8081,
		ExternalServer: "https://external.example.com/", ActionsCacheURLOverride: "https://override.example.com/",
		Secret: "vruvRdu5Rm", MaxSize: 20 << 30, MaxAge: 72 * time.Hour,
	}
	if diff := cmp.Diff(doc.Cache, want); diff != "" {
		t.Errorf("cache section (-got +want):\n%s", diff)
	}
	if doc.Cache.IsEnabled() || errText(doc.Cache.Validate()) != "" {
		t.Errorf("IsEnabled() = %v, Validate() = %v; want false, nil", doc.Cache.IsEnabled(), doc.Cache.Validate())
	}
	if !(cache.Config{}).IsEnabled() {
		t.Error("an unset enabled: is off, want on (as in forgejo-runner)")
	}
}

func errText(e error) string {
	if e == nil {
		return ""
	}
	return e.Error()
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  cache.Config
		want []string
	}{
		{"defaults", cache.Config{}, nil},
		{"both secrets", cache.Config{Secret: "a", SecretURL: "file:///s"}, []string{"mutually exclusive"}},
		{"external server without a secret", cache.Config{ExternalServer: "http://cache:9000/"}, []string{"needs cache.secret"}},
		{"every problem at once", cache.Config{ExternalServer: "cache:9000", ActionsCacheURLOverride: "ftp://x", SecretURL: "https://vault/s", MaxSize: -1},
			[]string{"cache.external_server \"cache:9000\"", "actions_cache_url_override", "only file:///path", "max_size is negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := errText(tt.cfg.Validate())
			if len(tt.want) == 0 && got != "" {
				t.Errorf("Validate() = %s, want nil", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Validate() = %q, want it to contain %q", got, w)
				}
			}
		})
	}
}

func TestConfigResolveSecret(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "secret")
	if e := os.WriteFile(path, []byte("  s3cret\n"), 0o600); e != nil {
		t.Fatal(e)
	}
	got, e := cache.Config{SecretURL: "file://" + path}.ResolveSecret()
	if e != nil || string(got) != "s3cret" {
		t.Errorf("ResolveSecret(file) = %q, %v; want s3cret", got, e)
	}
	got, e = cache.Config{Secret: "inline"}.ResolveSecret()
	if e != nil || string(got) != "inline" {
		t.Errorf("ResolveSecret(inline) = %q, %v", got, e)
	}
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	if _, e := cache.ReadSecretFile(empty); e == nil || !strings.Contains(e.Error(), "is empty") {
		t.Errorf("ReadSecretFile(empty) = %v, want an error saying it is empty", e)
	}
}

func TestByteSize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want cache.ByteSize
		str  string
	}{
		{"1073741824", 1 << 30, "1GiB"},
		{"10GiB", 10 << 30, "10GiB"},
		{"10G", 10 << 30, "10GiB"},
		{"500MB", 500e6, "500000000"},
		{"512 MiB", 512 << 20, "512MiB"},
		{"1.5GiB", 3 << 29, "1536MiB"},
		{"0", 0, "0"},
	}
	for _, tt := range tests {
		got, e := cache.ParseByteSize(tt.in)
		if e != nil || got != tt.want || got.String() != tt.str {
			t.Errorf("ParseByteSize(%q) = %d (%s), %v; want %d (%s)", tt.in, got, got, e, tt.want, tt.str)
		}
	}
	for _, bad := range []string{"", "ten", "-1GB", "5XB"} {
		if _, e := cache.ParseByteSize(bad); e == nil {
			t.Errorf("ParseByteSize(%q) = nil error, want one", bad)
		}
	}
}
