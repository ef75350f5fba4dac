package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"codeberg.org/anvil-ci/anvil/actions/gitops"
	"codeberg.org/anvil-ci/anvil/actions/step"
)

const gitopsPromoteLong = `Promote a new version in a GitOps config repository: clone the branch,
set an image tag or a YAML value in one file keeping comments, key order
and formatting, commit, and push. When another pipeline pushed first, the
branch is fetched again, the change applied on its new head and pushed
again (up to retries times). Nothing is committed when the file already
holds the value.

What to set:
  image + value           the kustomization images entry "image" gets
                          newTag value (digest for sha256:...)
  path + value            the value at a YAML path, e.g. image.tag (Helm
                          values), spec.template.spec.containers[name=web].image,
                          metadata.annotations["app.kubernetes.io/version"];
                          missing keys are created
  image + value + path    the image reference at path becomes image:value

Outputs: commit (the commit pushed, or the head when nothing changed),
changed (true/false), previous, value, attempts. Used by
actions/gitops-promote.`

const gitopsPromoteExample = `  # Inside a job, as actions/gitops-promote runs it (inputs from INPUT_*)
  anvil action gitops-promote

  # By hand (the token from the environment, not the command line)
  INPUT_TOKEN=$FORGE_TOKEN anvil action gitops-promote \
    --repository https://forge.example/acme/config.git \
    --file apps/web/overlays/prod/kustomization.yaml \
    --image ghcr.io/acme/web --value 1.4.2`

// newGitopsPromoteCommand returns anvil action gitops-promote.
func newGitopsPromoteCommand(proc Process) *cobra.Command {
	c := &cobra.Command{Use: "gitops-promote", Short: "Set an image tag or YAML value in a GitOps config repository and push it",
		Long: gitopsPromoteLong, Example: gitopsPromoteExample, Args: rangeArgs(0, 0)}
	in := bindInputs(proc, c, gitops.PromoteInputs())
	c.RunE = func(c *cobra.Command, _ []string) error {
		return runGitopsPromote(c.Context(), proc, in())
	}
	return c
}

func runGitopsPromote(ctx context.Context, proc Process, in *step.Inputs) error {
	rt := stepRuntime(proc)
	rt.Mask(in.Raw("token"))
	cfg, timeout, err := gitops.ParsePromote(in, proc.lookupEnv, proc.environ())
	if err != nil {
		return reportedExit(ExitUsage, rt.Fail(err))
	}
	ctx, cancel := step.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := gitops.Promote(ctx, cfg, proc.Stdout)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("%w: %w", context.Cause(ctx), err)
	}
	return reportedExit(ExitFailed, rt.Finish(gitops.PromoteOutputs(res), gitops.Summary(cfg, res, err), err))
}
