// Package gittest serves git repositories over smart HTTP on 127.0.0.1 for
// tests, the way a forge does.
//
// A Server runs the real `git http-backend` behind net/http/cgi, checks
// HTTP basic authentication with a token as Forgejo and Gitea accept it
// (the token as the password with any user name, or as the user name), and
// counts what clients asked for per repository: ref advertisements, v2
// ls-refs and fetch commands. Repositories are created with real git
// commands (Repo.Commit, Tag, Branch) and pushed into the server's bare
// repositories through the file system, so set-up never shows in the
// counters.
//
// It is not a forge: there is no API, no users and no pushes over HTTP.
// Tests of the action resolver use it, and so can any test that needs a
// git remote on loopback (the runner's checkout, deployment actions).
package gittest
