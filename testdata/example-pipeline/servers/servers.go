// Package servers starts what the example pipeline deploys to, on
// 127.0.0.1: a git server holding the config repository (config/ of the
// example) and an Argo CD test server whose application "web" follows
// apps/web of that repository with automated sync. It also writes the
// example into a git repository with the shipped actions, ready for anvil
// exec. Used by the example's go run helper (../run) and by
// TestExamplePipeline in actions/argocd.
package servers

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"codeberg.org/anvil-ci/anvil/actions/argocd/argocdtest"
	"codeberg.org/anvil-ci/anvil/actions/gitops/gitopstest"
)

// Passphrase encrypts the example's Terraform plan bundle.
const Passphrase = "example plan passphrase"

// Env is the running servers of the example.
type Env struct {
	Git    *gitopstest.Server
	Config *gitopstest.Repo
	ArgoCD *argocdtest.Server
	// Token is the Argo CD API token.
	Token string
	// Shared is the directory the jobs share (vars.SHARED).
	Shared string
}

// Start starts the servers; example is the example's directory and work
// a directory for the repositories and the shared files.
func Start(ctx context.Context, example, work string) (*Env, error) {
	files, err := readTree(filepath.Join(example, "config"))
	if err != nil {
		return nil, fmt.Errorf("reading the config repository's files: %w", err)
	}
	git, err := gitopstest.Start(filepath.Join(work, "git"), gitopstest.Options{})
	if err != nil {
		return nil, err
	}
	repo, err := git.NewRepo("acme/config", files)
	if err != nil {
		git.Close()
		return nil, err
	}
	argo, err := argocdtest.Start(argocdtest.Config{
		RefreshInterval: time.Second,
		PickupDelay:     200 * time.Millisecond,
		SyncDuration:    time.Second,
		ReconcileDelay:  200 * time.Millisecond,
		HealthDelay:     2 * time.Second,
	})
	if err != nil {
		git.Close()
		return nil, err
	}
	err = argo.AddApp(ctx, argocdtest.AppConfig{
		Name: "web", RepoDir: repo.Dir, RepoURL: repo.URL(), Path: "apps/web", TargetRevision: "main",
		AutoSync: true, AutoPrune: true, Synced: true,
	})
	if err != nil {
		argo.Close()
		git.Close()
		return nil, err
	}
	shared := filepath.Join(work, "shared")
	if err := os.MkdirAll(shared, 0o755); err != nil {
		argo.Close()
		git.Close()
		return nil, err
	}
	return &Env{Git: git, Config: repo, ArgoCD: argo, Token: argo.Token(0), Shared: shared}, nil
}

// Close stops the servers.
func (e *Env) Close() {
	e.ArgoCD.Close()
	e.Git.Close()
}

// Args are the anvil exec arguments the example needs: its variables and
// secrets, with terraform the Terraform program.
func (e *Env) Args(terraform string) []string {
	return []string{
		"--var", "SHARED=" + e.Shared,
		"--var", "TERRAFORM=" + terraform,
		"--var", "CONFIG_REPO=" + e.Config.URL(),
		"--var", "ARGOCD_SERVER=" + e.ArgoCD.URL(),
		"-s", "CONFIG_TOKEN=" + e.Git.Token,
		"-s", "ARGOCD_TOKEN=" + e.Token,
		"-s", "PLAN_PASSPHRASE=" + Passphrase,
	}
}

// PrepareRepo writes the example's pipeline (workflow, src, infra) and the
// shipped actions it uses (from root/actions) into dest and commits them
// on main.
func PrepareRepo(root, example, dest string) error {
	for _, d := range []string{".forgejo", "src", "infra"} {
		if err := os.CopyFS(filepath.Join(dest, d), os.DirFS(filepath.Join(example, d))); err != nil {
			return fmt.Errorf("copying the example's %s: %w", d, err)
		}
	}
	for _, a := range []string{"terraform-plan", "terraform-apply", "gitops-promote", "argocd-wait"} {
		if err := os.CopyFS(filepath.Join(dest, "actions", a), os.DirFS(filepath.Join(root, "actions", a))); err != nil {
			return fmt.Errorf("copying actions/%s: %w", a, err)
		}
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=Example Developer", "-c", "user.email=dev@acme.test", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "web: greet by name"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dest
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// readTree reads every file under dir, by slash-separated relative path.
func readTree(dir string) (map[string]string, error) {
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	return files, err
}
