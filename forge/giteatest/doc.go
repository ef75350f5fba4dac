// Package giteatest starts a real Gitea 1.25.4 on loopback for tests and
// drives it as a user would: over REST (with the Gitea SDK where it has
// the call, plain HTTP with the admin token where it has not) and over git
// HTTP with the real git.
//
// The Gitea binary is built once by .ci/setup.d/40-gitea.sh into
// $ANVIL_GITEA_DIR, else $XDG_CACHE_HOME/anvil/gitea-1.25.4 (see Dir).
// Where it is missing, Start skips the test with a reason that names the
// script; ANVIL_REQUIRE_GITEA=1, ANVIL_REQUIRE_DOCKER=1 or CI=true make
// that a failure, so a green CI run means the tests ran against Gitea.
//
// Each Start gets its own Gitea: a temporary directory with app.ini
// (sqlite, actions enabled, no mailer, no SSH, offline), a free port on
// 127.0.0.1 and an admin user with an access token. Everything is stopped
// and removed when the test ends. It is a test helper: it imports nothing
// of anvil's, and anvil's own code never imports it.
package giteatest
