#!/usr/bin/env bash
# Installs Terraform 1.5.7, the version the Terraform action tests
# (actions/terraform) run, into $(go env GOPATH)/bin with go install, unless
# it is already there. The build takes about three minutes; the binary is
# reused by later runs. The tests take terraform from there (or from
# $ANVIL_TERRAFORM), never from the PATH, which may hold another version.
set -euo pipefail

want=1.5.7
bin="$(go env GOPATH | cut -d: -f1)/bin/terraform"

have=""
if [ -x "$bin" ]; then
	# TF_CLI_CONFIG_FILE may point at a missing file; terraform only warns.
	have="$(TF_CLI_CONFIG_FILE= CHECKPOINT_DISABLE=1 "$bin" version 2>/dev/null | sed -n 1p || true)"
fi
if [ "$have" = "Terraform v$want" ]; then
	echo "terraform $want: present at $bin"
	exit 0
fi

echo "terraform $want: installing to $bin with go install (found: ${have:-nothing}); this takes a few minutes"
GOBIN="$(dirname "$bin")" go install "github.com/hashicorp/terraform@v$want"
have="$(TF_CLI_CONFIG_FILE= CHECKPOINT_DISABLE=1 "$bin" version 2>/dev/null | sed -n 1p)"
if [ "$have" != "Terraform v$want" ]; then
	echo "terraform at $bin reports '$have' after the install, want Terraform v$want" >&2
	exit 1
fi
echo "terraform $want: installed at $bin"
