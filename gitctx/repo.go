package gitctx

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Repo is what a local run learns from the git repository.
type Repo struct {
	// IsRepo is false when the directory is not in a git work tree; the
	// other fields are then empty.
	IsRepo bool
	// Branch is the checked-out branch ("" when HEAD is detached) and Tag,
	// when HEAD is detached, a tag pointing at it (github.ref then; not
	// looked up on a branch, where listing every ref would be wasted).
	Branch string
	Tag    string
	// SHA is HEAD's commit, Before its first parent ("" for a root commit,
	// an empty repository or a shallow clone's boundary).
	SHA    string
	Before string
	// DefaultBranch is origin's HEAD branch, else the current branch,
	// else "main".
	DefaultBranch string
	// RemoteURL is origin's URL.
	RemoteURL string
	// UserName and UserEmail are git's user.name and user.email.
	UserName  string
	UserEmail string
	// Commit describes HEAD for head_commit.
	Message    string
	Timestamp  string
	Author     string
	AuthorMail string
	// Changed lists the files HEAD~1..HEAD touched; ChangedKnown says
	// whether that diff worked.
	Changed      []string
	ChangedKnown bool
}

// Read learns what a local run needs from the repository containing dir
// (a work tree, a linked worktree or a subdirectory of one), in-process.
// getenv reads the environment for the user's git configuration (HOME,
// XDG_CONFIG_HOME, GIT_CONFIG_GLOBAL, ...). A directory outside any work
// tree gives IsRepo false and no error; facts the repository lacks (a
// remote, a tag, a commit) stay empty. An error means ctx ended.
func Read(ctx context.Context, dir string, getenv func(string) string) (Repo, error) {
	var info Repo
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		// Not a repository, or one git itself would not read either.
		return info, nil
	}
	if _, err := r.Worktree(); err != nil {
		// A bare repository has no work tree, as for git rev-parse.
		return info, nil
	}
	info.IsRepo = true
	if head, err := r.Reference(plumbing.HEAD, false); err == nil && head.Type() == plumbing.SymbolicReference {
		info.Branch = head.Target().Short()
	}
	var headHash plumbing.Hash
	if head, err := r.Head(); err == nil {
		headHash = head.Hash()
		info.SHA = headHash.String()
	}
	info.UserName, info.UserEmail = userIdentity(r, getenv)
	if rem, err := r.Remote("origin"); err == nil && len(rem.Config().URLs) > 0 {
		info.RemoteURL = rem.Config().URLs[0]
	}
	if ref, err := r.Reference(plumbing.NewRemoteHEADReferenceName("origin"), false); err == nil && ref.Type() == plumbing.SymbolicReference {
		info.DefaultBranch = strings.TrimPrefix(ref.Target().String(), "refs/remotes/origin/")
	}
	if info.DefaultBranch == "" {
		info.DefaultBranch = info.Branch
	}
	if info.DefaultBranch == "" {
		info.DefaultBranch = "main"
	}
	if info.SHA == "" {
		return info, ctx.Err()
	}
	if info.Branch == "" {
		info.Tag = tagAt(r, headHash)
	}
	commit, err := r.CommitObject(headHash)
	if err != nil {
		return info, ctx.Err()
	}
	info.Author, info.AuthorMail = commit.Author.Name, commit.Author.Email
	info.Timestamp = commit.Author.When.Format("2006-01-02T15:04:05-07:00")
	info.Message = strings.TrimSpace(commit.Message)
	parent, ok := firstParent(r, commit)
	if !ok {
		return info, ctx.Err()
	}
	info.Before = parent.Hash.String()
	if changed, err := changedFiles(ctx, parent, commit); err == nil {
		info.Changed, info.ChangedKnown = changed, true
	}
	return info, ctx.Err()
}

// tagAt returns the first tag, by name, that points at commit directly or
// through an annotated tag, as git tag --points-at; "" when none does.
func tagAt(r *git.Repository, commit plumbing.Hash) string {
	tags, err := r.Tags()
	if err != nil {
		return ""
	}
	var names []string
	_ = tags.ForEach(func(ref *plumbing.Reference) error {
		if ref.Hash() == commit {
			names = append(names, ref.Name().Short())
		} else if tag, err := r.TagObject(ref.Hash()); err == nil && tag.Target == commit {
			names = append(names, ref.Name().Short())
		}
		return nil
	})
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

// firstParent returns commit's first parent, as HEAD~1: none for a root
// commit, or at a shallow clone's boundary, where git sees no parents.
func firstParent(r *git.Repository, commit *object.Commit) (*object.Commit, bool) {
	if commit.NumParents() == 0 {
		return nil, false
	}
	if shallow, err := r.Storer.Shallow(); err == nil {
		for _, h := range shallow {
			if h == commit.Hash {
				return nil, false
			}
		}
	}
	parent, err := commit.Parent(0)
	if err != nil {
		return nil, false
	}
	return parent, true
}

// changedFiles lists the paths that differ between from and to, sorted, as
// git diff --name-only with its default rename detection (a renamed file
// is listed under its new name).
func changedFiles(ctx context.Context, from, to *object.Commit) ([]string, error) {
	a, err := from.Tree()
	if err != nil {
		return nil, fmt.Errorf("reading the tree of %s: %w", from.Hash, err)
	}
	b, err := to.Tree()
	if err != nil {
		return nil, fmt.Errorf("reading the tree of %s: %w", to.Hash, err)
	}
	changes, err := object.DiffTreeWithOptions(ctx, a, b, &object.DiffTreeOptions{DetectRenames: true, RenameScore: 50})
	if err != nil {
		return nil, fmt.Errorf("comparing %s with %s: %w", from.Hash, to.Hash, err)
	}
	var paths []string
	for _, c := range changes {
		name := c.To.Name
		if name == "" {
			name = c.From.Name
		}
		paths = append(paths, name)
	}
	sort.Strings(paths)
	return paths, nil
}
