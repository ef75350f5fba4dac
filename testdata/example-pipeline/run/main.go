// Command run runs the example pipeline on this machine:
//
//	go run ./testdata/example-pipeline/run
//
// It starts the example's git and Argo CD test servers on 127.0.0.1, writes
// the example into a temporary git repository with the shipped actions,
// and runs "anvil exec" on it in this process. Jobs get this program as
// their "anvil" (it runs "anvil action ..." for them), so nothing needs
// building first; Terraform 1.5.7 must be on the PATH or in
// $(go env GOPATH)/bin (go install github.com/hashicorp/terraform@v1.5.7).
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"codeberg.org/anvil-ci/anvil/cmd"
	"codeberg.org/anvil-ci/anvil/testdata/example-pipeline/servers"
)

func main() {
	// Jobs run this program as anvil for the shipped actions.
	if len(os.Args) > 1 && os.Args[1] == "action" {
		os.Exit(cmd.Main(context.Background(), cmd.OSProcess(), os.Args[1:]))
	}
	os.Exit(run(context.Background()))
}

func run(ctx context.Context) int {
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		return 1
	}
	terraform, err := findTerraform()
	if err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		return 1
	}
	work, err := os.MkdirTemp("", "anvil-example-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		return 1
	}
	defer os.RemoveAll(work)
	example := filepath.Join(root, "testdata", "example-pipeline")
	env, err := servers.Start(ctx, example, work)
	if err != nil {
		fmt.Fprintln(os.Stderr, "example: starting the servers:", err)
		return 1
	}
	defer env.Close()
	repo := filepath.Join(work, "repo")
	if err := servers.PrepareRepo(root, example, repo); err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		return 1
	}
	fmt.Printf("example: config repository %s, Argo CD %s, application web\n", env.Config.URL(), env.ArgoCD.URL())
	proc := cmd.OSProcess()
	args := append([]string{"exec", "push", "-C", repo, "--workdir", filepath.Join(work, "jobs")}, env.Args(terraform)...)
	code := cmd.Main(ctx, proc, args)
	if app, ok := env.ArgoCD.App("web"); ok {
		fmt.Printf("example: Argo CD reports web %s/%s at %s with %s\n", app.Status.Sync.Status, app.Status.Health.Status,
			app.Status.Sync.Revision, strings.Join(app.Status.Summary.Images, ", "))
	}
	if v := env.ArgoCD.Violations(); len(v) > 0 {
		fmt.Fprintf(os.Stderr, "example: the Argo CD test server saw JSON outside its API:\n%s\n", strings.Join(v, "\n"))
		return 1
	}
	return code
}

// moduleRoot is the anvil repository this program runs from.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w (run this with go run from the anvil repository)", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("not inside the anvil module: run go run ./testdata/example-pipeline/run from the repository")
	}
	return filepath.Dir(mod), nil
}

// findTerraform returns terraform from the PATH or $(go env GOPATH)/bin.
func findTerraform() (string, error) {
	if path, err := exec.LookPath("terraform"); err == nil {
		return path, nil
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		path := filepath.Join(filepath.SplitList(strings.TrimSpace(string(out)))[0], "bin", "terraform")
		if _, err := os.Stat(path); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("terraform is not installed: go install github.com/hashicorp/terraform@v1.5.7")
}
