package localrun

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// ParseDotenv reads dotenv data: NAME=VALUE lines, optionally prefixed by
// "export ", with # comments and blank lines. Values may be quoted: single
// quotes keep the text as is, double quotes understand \n, \t, \" and \\.
// Unquoted values end at " #".
func ParseDotenv(data []byte) (map[string]string, error) {
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		name, raw, ok := strings.Cut(line, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("line %d: write it as NAME=VALUE", n)
		}
		value, err := dotenvValue(strings.TrimSpace(raw))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		m[name] = value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading: %w", err)
	}
	return m, nil
}

// dotenvValue unquotes one value.
func dotenvValue(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	switch q := raw[0]; q {
	case '\'', '"':
		end := closingQuote(raw, q)
		if end < 0 {
			return "", fmt.Errorf("missing closing %c", q)
		}
		if rest := strings.TrimSpace(raw[end+1:]); rest != "" && !strings.HasPrefix(rest, "#") {
			return "", fmt.Errorf("unexpected %q after the closing quote", rest)
		}
		body := raw[1:end]
		if q == '\'' {
			return body, nil
		}
		return unescapeDouble(body), nil
	}
	if i := strings.Index(raw, " #"); i >= 0 {
		raw = raw[:i]
	}
	return strings.TrimSpace(raw), nil
}

// closingQuote finds the index of the quote closing raw[0], skipping
// backslash escapes inside double quotes.
func closingQuote(raw string, q byte) int {
	for i := 1; i < len(raw); i++ {
		switch {
		case raw[i] == '\\' && q == '"':
			i++
		case raw[i] == q:
			return i
		}
	}
	return -1
}

// unescapeDouble resolves the escapes allowed in double quotes.
func unescapeDouble(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
