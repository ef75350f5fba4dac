package cache

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the cache: section of the runner's config file. Its keys are
// forgejo-runner's (and act_runner's), so their config files work
// unchanged; max_size and max_age are anvil's own.
type Config struct {
	// Enabled turns the cache on; unset means on, as in forgejo-runner.
	Enabled *bool `yaml:"enabled"`
	// Dir holds the entries of a cache server the runner starts itself.
	Dir string `yaml:"dir"`
	// Host is the address jobs reach the runner's cache server at (not
	// the address it listens on); empty means detect it.
	Host string `yaml:"host"`
	// Port is the port the runner's cache server listens on; 0 picks one.
	Port uint16 `yaml:"port"`
	// ProxyPort is forgejo-runner's cache proxy port. Anvil has no proxy
	// (jobs talk to the server with their own credential); it is read so
	// that such configs load.
	ProxyPort uint16 `yaml:"proxy_port"`
	// ExternalServer is the URL of a shared cache server (anvil
	// cache-server); the runner then starts none and issues credentials
	// for that one, which needs Secret.
	ExternalServer string `yaml:"external_server"`
	// ActionsCacheURLOverride replaces the base URL jobs are given, for
	// networks where the detected one is not reachable (rootless Podman).
	ActionsCacheURLOverride string `yaml:"actions_cache_url_override"`
	// Secret is shared by the cache server and its runners; the job
	// credentials are MACs keyed with it. Exclusive with SecretURL.
	Secret string `yaml:"secret"`
	// SecretURL reads Secret from a file: file:///path.
	SecretURL string `yaml:"secret_url"`
	// MaxSize bounds the bytes of all entries; the least recently used go
	// first. 0 means DefaultMaxSize.
	MaxSize ByteSize `yaml:"max_size"`
	// MaxAge evicts entries not used for this long. 0 means DefaultMaxAge.
	MaxAge time.Duration `yaml:"max_age"`
}

// Defaults of Options and Config.
const (
	DefaultMaxSize       = 10 << 30
	DefaultMaxAge        = 7 * 24 * time.Hour
	DefaultUploadTimeout = 10 * time.Minute
)

// IsEnabled reports whether the cache is on (an unset enabled: is on).
func (c Config) IsEnabled() bool { return c.Enabled == nil || *c.Enabled }

// Validate reports every inconsistency of the section at once.
func (c Config) Validate() error {
	var errs []error
	if c.Secret != "" && c.SecretURL != "" {
		errs = append(errs, errors.New("cache.secret and cache.secret_url are mutually exclusive: keep one"))
	}
	if c.SecretURL != "" && !strings.HasPrefix(c.SecretURL, "file:") {
		errs = append(errs, fmt.Errorf("cache.secret_url %q: only file:///path is supported", c.SecretURL))
	}
	for _, f := range []struct{ name, value string }{
		{"cache.external_server", c.ExternalServer},
		{"cache.actions_cache_url_override", c.ActionsCacheURLOverride},
	} {
		if f.value == "" {
			continue
		}
		if u, err := url.Parse(f.value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s %q: use an http:// or https:// URL", f.name, f.value))
		}
	}
	if c.ExternalServer != "" && c.Secret == "" && c.SecretURL == "" {
		errs = append(errs, errors.New("cache.external_server needs cache.secret (or cache.secret_url): the same secret the cache server was started with"))
	}
	if c.MaxSize < 0 {
		errs = append(errs, errors.New("cache.max_size is negative"))
	}
	if c.MaxAge < 0 {
		errs = append(errs, errors.New("cache.max_age is negative"))
	}
	return errors.Join(errs...)
}

// ResolveSecret returns the shared secret: Secret, or the content of the
// file SecretURL names (surrounding white space removed). It is empty when
// neither is set.
func (c Config) ResolveSecret() ([]byte, error) {
	if c.SecretURL == "" {
		return []byte(c.Secret), nil
	}
	u, err := url.Parse(c.SecretURL)
	if err != nil || u.Scheme != "file" {
		return nil, fmt.Errorf("cache.secret_url %q: only file:///path is supported", c.SecretURL)
	}
	return ReadSecretFile(u.Path)
}

// ReadSecretFile reads a shared secret from a file, without surrounding
// white space; an empty file is an error.
func ReadSecretFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the cache secret: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return nil, fmt.Errorf("the cache secret file %s is empty: put a long random string in it (e.g. openssl rand -hex 32)", path)
	}
	return []byte(s), nil
}

// ByteSize is a size in bytes written as a number with an optional unit:
// 1073741824, 500MB, 10GiB, 10G (K, M, G, T alone are binary).
type ByteSize int64

var byteUnits = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
	{"b", 1},
}

// ParseByteSize parses a ByteSize.
func ParseByteSize(s string) (ByteSize, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n < 0 || n*float64(mult) > float64(1<<62) {
		return 0, fmt.Errorf("size %q: write bytes or a number with KB, MB, GB, KiB, MiB or GiB (e.g. 10GiB)", s)
	}
	return ByteSize(n * float64(mult)), nil
}

// UnmarshalText reads a ByteSize from YAML or a flag.
func (b *ByteSize) UnmarshalText(text []byte) error {
	v, err := ParseByteSize(string(text))
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// String writes the size in the largest binary unit that divides it.
func (b ByteSize) String() string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b != 0 && int64(b)%u.mult == 0 {
			return strconv.FormatInt(int64(b)/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

// MarshalText writes the size as String does.
func (b ByteSize) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// Set and Type make a ByteSize a command line flag (pflag.Value).
func (b *ByteSize) Set(s string) error { return b.UnmarshalText([]byte(s)) }

// Type names the flag's value in help output.
func (b *ByteSize) Type() string { return "size" }
