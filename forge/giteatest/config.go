package giteatest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// appIni is the instance's configuration: sqlite in dir, HTTP on
// 127.0.0.1:port only, nothing that reaches beyond loopback (no SSH, no
// mailer, no update check, no avatars from the network), actions on with
// actions fetched from the instance itself. %[n] are filled by writeConfig.
const appIni = `APP_NAME = anvil test forge
RUN_MODE = prod
RUN_USER = %[1]s
WORK_PATH = %[2]s
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = %[3]t

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = %[4]d
DOMAIN = 127.0.0.1
ROOT_URL = http://127.0.0.1:%[4]d/
DISABLE_SSH = true
START_SSH_SERVER = false
OFFLINE_MODE = true
LFS_START_SERVER = false
STATIC_ROOT_PATH = %[5]s
APP_DATA_PATH = %[2]s/data

[database]
DB_TYPE = sqlite3
PATH = %[2]s/data/gitea.db
SQLITE_JOURNAL_MODE = WAL

[repository]
ROOT = %[2]s/repos
DEFAULT_BRANCH = main

[security]
INSTALL_LOCK = true
SECRET_KEY = %[6]s
INTERNAL_TOKEN = %[7]s
PASSWORD_COMPLEXITY = off
PASSWORD_CHECK_PWN = false

[oauth2]
JWT_SECRET = %[8]s

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = false
ENABLE_NOTIFY_MAIL = false

[mailer]
ENABLED = false

[picture]
DISABLE_GRAVATAR = true
ENABLE_FEDERATED_AVATAR = false

[indexer]
ISSUE_INDEXER_TYPE = db
REPO_INDEXER_ENABLED = false

[session]
PROVIDER = memory

[cache]
ADAPTER = memory

[cron.update_checker]
ENABLED = false

[log]
MODE = file
LEVEL = info
ROOT_PATH = %[2]s/log

[actions]
ENABLED = true
DEFAULT_ACTIONS_URL = self
`

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port on 127.0.0.1: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// randomText returns n random bytes, hex-encoded.
func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// writeConfig writes dir/app.ini for an instance on port that reads its
// static files from static, and returns its path.
func writeConfig(dir, static string, port int) (string, error) {
	u, err := user.Current()
	if err != nil {
		return "", fmt.Errorf("finding the current user for RUN_USER: %w", err)
	}
	jwt := make([]byte, 32)
	_, _ = rand.Read(jwt)
	body := fmt.Sprintf(appIni,
		u.Username, dir, u.Uid == "0", port, static,
		randomText(32), randomText(32), base64.RawURLEncoding.EncodeToString(jwt))
	for _, v := range []string{dir, static} {
		if strings.ContainsAny(v, "\n`\"") {
			return "", fmt.Errorf("the path %q cannot go into app.ini: move it (TMPDIR, ANVIL_GITEA_DIR)", v)
		}
	}
	path := filepath.Join(dir, "app.ini")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return path, nil
}

// portURL is the instance's URL for port, without a trailing slash.
func portURL(port int) string { return "http://127.0.0.1:" + strconv.Itoa(port) }
