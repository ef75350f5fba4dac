package expr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rhysd/actionlint"
)

// literalArgument returns the value of a string literal that is a whole
// function argument: toks starts after the '(' or ',' before it.
func literalArgument(toks []*actionlint.Token) (string, bool) {
	if len(toks) < 2 || toks[0].Kind != actionlint.TokenKindString {
		return "", false
	}
	switch toks[1].Kind {
	case actionlint.TokenKindComma, actionlint.TokenKindRightParen:
	default:
		return "", false
	}
	lit := toks[0].Value
	return strings.ReplaceAll(lit[1:len(lit)-1], "''", "'"), true
}

// formatArgs checks a format string as GitHub reads it ({N} is argument N,
// {{ and }} are literal braces) and returns how many arguments it needs.
func formatArgs(s string) (int, error) {
	need := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			if i+1 < len(s) && s[i+1] == '{' {
				i++
				continue
			}
			closing := strings.IndexByte(s[i:], '}')
			if closing < 0 {
				return 0, &invalidError{msg: fmt.Sprintf("format string %q has a { that is not closed: write {{ for a literal {", s)}
			}
			index, err := strconv.ParseUint(s[i+1:i+closing], 10, 16)
			if err != nil {
				return 0, &invalidError{msg: fmt.Sprintf("format string %q has %q where {N} with a number N was expected: write {{ for a literal {", s, s[i:i+closing+1])}
			}
			need = max(need, int(index)+1)
			i += closing
		case '}':
			if i+1 < len(s) && s[i+1] == '}' {
				i++
				continue
			}
			return 0, &invalidError{msg: fmt.Sprintf("format string %q has a } that closes nothing: write }} for a literal }", s)}
		}
	}
	return need, nil
}
