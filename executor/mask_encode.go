package executor

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// minBase64Len is the shortest unpadded base64 form of a secret that is
// masked: one whole group of 4 digits, 3 bytes of the secret. Shorter
// ones (the digits of a secret's last byte or two) would hide ordinary
// words all over the log while protecting almost nothing.
const minBase64Len = 4

// encodedForms returns the ways GitHub's runner expects a secret to show up
// in a log besides itself: JSON-escaped (with and without HTML escaping),
// percent-encoded, and base64-encoded at each of the three alignments the
// secret can have in a longer base64 stream, in the standard and the URL
// alphabet. Forms equal to value are left out; duplicates are not.
func encodedForms(value string) []string {
	var forms []string
	for _, f := range []string{
		jsonEscape(value, false), jsonEscape(value, true),
		percentEncode(value, "", false), percentEncode(value, "", true), percentEncode(value, "!'()*", false),
	} {
		if f != value {
			forms = append(forms, f)
		}
	}
	for _, f := range base64Forms(value) {
		if len(f) >= minBase64Len || strings.HasSuffix(f, "=") {
			forms = append(forms, f, base64URL.Replace(f))
		}
	}
	return forms
}

// base64URL turns standard base64 into the URL-safe alphabet of RFC 4648.
var base64URL = strings.NewReplacer("+", "-", "/", "_")

// base64Forms returns the base64 of value, padded and not, and the stable inner
// part of its base64 when it starts at byte 0, 1 or 2 of a 3-byte group:
// the secret with 0, 1 or 2 leading bytes skipped, encoded, without "="
// padding and, when there was padding, without the last digit (which
// also carries bits of whatever follows the secret). This is what GitHub's
// runner masks, so base64("user:" + secret) and base64(secret + "\n")
// are hidden as well as base64(secret).
func base64Forms(value string) []string {
	forms := []string{base64.StdEncoding.EncodeToString([]byte(value)), base64.RawStdEncoding.EncodeToString([]byte(value))}
	for skip := 0; skip < 3 && skip < len(value); skip++ {
		enc := base64.StdEncoding.EncodeToString([]byte(value[skip:]))
		inner := strings.TrimRight(enc, "=")
		if len(inner) < len(enc) {
			inner = inner[:len(inner)-1]
		}
		forms = append(forms, inner)
	}
	return forms
}

// percentEncode escapes every byte of s except the unreserved characters
// of RFC 3986 (letters, digits, "-", ".", "_", "~") and those in keep,
// as %XX with upper-case hex. With plus, a space becomes "+" (the form
// encoding of url.QueryEscape and HTML forms).
func percentEncode(s, keep string, plus bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', strings.IndexByte(keep, c) >= 0:
			b.WriteByte(c)
		case c == ' ' && plus:
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// jsonEscape returns value as it appears inside a JSON string, without the
// quotes; with html, <, > and & are escaped as Go's encoders do by default.
func jsonEscape(value string, html bool) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(value); err != nil {
		return value
	}
	out := strings.TrimSuffix(buf.String(), "\n")
	return strings.TrimSuffix(strings.TrimPrefix(out, `"`), `"`)
}
