// Package testkit is what the module's tests share: a locked buffer for
// output written by one goroutine and read by another, real git
// repositories with a fixed identity, checks that processes a test
// started have ended, the Terraform binary the Terraform tests run, the
// anvil, jobclient and other binaries of the module built once per test
// process, one request to a server that runs until its context ends
// (ServeOnce), executables written so that running them never fails
// with "text file busy" (WriteExecutable), and a polling wait.
//
// It is test support: only _test.go files and test kits (packages named
// *test) import it, which internal/archtest enforces. It is not a mock
// library; every helper drives the real thing (git, processes, binaries).
// Golden files are in the subpackage golden, which registers the -update
// flag, so that only the packages with golden files have it.
package testkit
