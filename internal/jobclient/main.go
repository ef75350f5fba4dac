// Command jobclient is a job's client of the artifact and cache APIs, for
// tests that run it as a step of a real workflow (anvil exec, anvil
// daemon against the test forge or a real Gitea): it uploads and
// downloads artifacts with artifactclient (upload-artifact v3 and v4 on
// the wire) and saves and restores cache entries with cachetest
// (actions/cache v1 and v2 on the wire), reading what the runner gives a
// job: ACTIONS_RUNTIME_URL, ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN,
// ACTIONS_CACHE_URL and GITHUB_RUN_ID.
//
// Tests build it with CGO_ENABLED=0, so that it runs in any container
// too. It is not shipped.
//
//	jobclient upload-v3|upload-v4 NAME DIR      upload DIR's files as artifact NAME
//	jobclient download-v3|download-v4 NAME DIR  download artifact NAME into DIR
//	jobclient cache-save v1|v2 KEY FILE         save FILE as the entry KEY
//	jobclient cache-restore v1|v2 KEY FILE      restore KEY into FILE: prints "cache hit: KEY" or "cache miss: KEY"
//	jobclient probe                             send both artifact APIs usual and wrong requests, print what came back
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "jobclient:", err)
		os.Exit(1)
	}
}

// usage is the error for a command line jobclient does not know.
const usage = "usage: jobclient upload-v3|upload-v4|download-v3|download-v4 NAME DIR | cache-save|cache-restore v1|v2 KEY FILE | probe"

// run runs the command args with the job's environment getenv.
func run(ctx context.Context, args []string, getenv func(string) string) error {
	switch {
	case len(args) == 1 && args[0] == "probe":
		return runProbe(ctx, os.Stdout, getenv)
	case len(args) == 3 && (args[0] == "upload-v3" || args[0] == "upload-v4" || args[0] == "download-v3" || args[0] == "download-v4"):
		return runArtifact(ctx, args[0], args[1], args[2], getenv)
	case len(args) == 4 && (args[0] == "cache-save" || args[0] == "cache-restore") && (args[1] == "v1" || args[1] == "v2"):
		return runCache(ctx, os.Stdout, args[0], args[1], args[2], args[3], getenv)
	}
	return fmt.Errorf("%q: %s", args, usage)
}
