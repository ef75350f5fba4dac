# Anvil's Makefile. `make help` lists the targets; each "## " comment is
# its help text.

GO ?= go
# TAGS are extra build tags for test-compile (make test-compile TAGS=...);
# no file needs one today: the tagged files are per OS (unix, linux).
TAGS ?=

.DEFAULT_GOAL := help

# IMAGE is the tag make image gives the container image.
IMAGE ?= anvil:dev

.PHONY: help setup build static image test test-compile bench bench-fleet lint fmt demo docs

help: ## Show this list of targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build bin/anvil
	$(GO) build -o bin/anvil ./cmd/anvil

static: ## Build bin/anvil-static: a static binary (CGO_ENABLED=0), for containers and any Linux
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o bin/anvil-static ./cmd/anvil

image: static ## Build the container image $(IMAGE) offline from bin/anvil-static and the host's CA certificates (docker import)
	scripts/build-image.sh bin/anvil-static $(IMAGE)

setup: ## Install what the tests need: the Docker test image, Terraform 1.5.7, git and node, Gitea 1.25.4 (.ci/setup.d; idempotent)
	@for step in .ci/setup.d/*.sh; do echo "== setup: $$step"; bash "$$step" || exit 1; done

test: setup ## Set up (see setup), then run every test with the race detector (what CI runs)
	$(GO) test -race -timeout 30m ./...

test-compile: ## Compile every package's tests without running them (TAGS=... for tagged files)
	$(GO) test -count=1 -tags '$(TAGS)' -run XXX_NONE ./...

bench: ## Run the benchmarks (BenchmarkEvaluate in pipeline/policy prints the policy cost in µs/job)
	$(GO) test -run '^$$' -bench . -skip '^BenchmarkHostJob' -benchmem ./...
	$(GO) test -run '^$$' -bench '^BenchmarkHostJob' -benchmem -benchtime=20x ./executor/

bench-fleet: ## Run only the fleet benchmark: 20 daemons' idle requests and memory, queued-to-started times
	$(GO) test -run '^$$' -bench '^BenchmarkFleet$$' ./cmd/

# The linters are pinned in tools/go.mod (a module of its own, so their
# dependencies never enter Anvil's build) and built into bin/ on first use.
STATICCHECK := bin/staticcheck
GOIMPORTS := bin/goimports
LOCAL := codeberg.org/anvil-ci/anvil

$(STATICCHECK): tools/go.mod tools/go.sum
	$(GO) -C tools build -o ../$(STATICCHECK) honnef.co/go/tools/cmd/staticcheck

$(GOIMPORTS): tools/go.mod tools/go.sum
	$(GO) -C tools build -o ../$(GOIMPORTS) golang.org/x/tools/cmd/goimports

lint: $(STATICCHECK) $(GOIMPORTS) ## go vet, staticcheck, the import rules of ARCHITECTURE.md and import grouping (internal/archtest), goimports formatting and go.mod tidiness (each failure prints its fix)
	$(GO) vet ./...
	@$(STATICCHECK) ./... || { echo "staticcheck found the problems above. Fix the code; where a finding is deliberate (a peer's exact error text, say), put //lint:ignore CHECK reason on the line above"; exit 1; }
	@$(GO) test -count=1 ./internal/archtest || { echo "An import rule is broken (see the rule named above). Fix: make fmt regroups imports; for a layering rule, move the code, or change the rule in internal/archtest/archtest.go with a reason"; exit 1; }
	@unformatted=$$($(GOIMPORTS) -local $(LOCAL) -l $$(git ls-files --cached --others --exclude-standard '*.go')); \
	if [ -n "$$unformatted" ]; then \
		echo "These files are not formatted (gofmt and goimports -local $(LOCAL)):"; echo "$$unformatted"; \
		echo "Fix: make fmt"; exit 1; \
	fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy. Fix: go mod tidy"; exit 1; }
	@$(GO) -C tools mod tidy -diff || { echo "tools/go.mod is not tidy. Fix: go -C tools mod tidy"; exit 1; }

docs: ## Generate the CLI reference docs/cli from the cobra commands (a test fails when it is stale)
	$(GO) run ./cmd/internal/docgen docs/cli

fmt: $(GOIMPORTS) ## Format every Go file and group its imports (goimports -local)
	$(GOIMPORTS) -local $(LOCAL) -w $$(git ls-files --cached --others --exclude-standard '*.go')

demo: ## Run the embedded demo repository's workflow on this host
	$(GO) run ./cmd/anvil demo
