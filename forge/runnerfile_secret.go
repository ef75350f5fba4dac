package forge

import (
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrBadSecret is wrapped by RunnerFileFromSecret's error for a secret
// that is not 40 hexadecimal characters.
var ErrBadSecret = errors.New("the shared secret must be 40 hexadecimal characters (make one with: openssl rand -hex 20)")

// RunnerFileFromSecret is the registration of a runner created offline on
// a Forgejo instance with a shared secret, as forgejo-runner
// create-runner-file makes it; the server side is
//
//	forgejo forgejo-cli actions register --secret SECRET [--name N] [--labels L] [--scope S]
//
// The secret is 40 hexadecimal characters; the runner's uuid is made of
// the bytes of its first 16 characters (as text, not decoded), and the
// whole secret is the runner's token. Gitea has no such command (its
// gitea actions generate-runner-token makes a registration token for
// anvil register), so this works with Forgejo only. The id is unknown
// offline and left 0, as forgejo-runner leaves it.
func RunnerFileFromSecret(address, name, secret string, labels []string) (RunnerFile, error) {
	if len(secret) != 40 {
		return RunnerFile{}, fmt.Errorf("%w; this one has %d characters", ErrBadSecret, len(secret))
	}
	if _, err := hex.DecodeString(secret); err != nil {
		return RunnerFile{}, fmt.Errorf("%w; this one has other characters", ErrBadSecret)
	}
	return RunnerFile{
		UUID: uuidOfBytes([]byte(secret[:16])), Name: name, Token: secret,
		Address: address, Labels: append([]string(nil), labels...),
	}, nil
}

// uuidOfBytes formats 16 bytes as a UUID (8-4-4-4-12 hexadecimal digits),
// as github.com/google/uuid's FromBytes(b).String() does.
func uuidOfBytes(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
