#!/usr/bin/env bash
# Builds (or reuses) anvil-test/bookworm:latest, the image the Docker
# executor's tests and benchmarks run in.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec scripts/build-test-image.sh
