#!/usr/bin/env bash
# run.sh checks textstats.sh against the samples.
set -euo pipefail
cd "$(dirname "$0")/.."

failed=0
check() {
  local got
  got=$(bash src/textstats.sh "$1")
  if [ "$got" = "$2" ]; then
    echo "ok    $1: $got"
  else
    echo "FAIL  $1: got '$got', want '$2'"
    failed=1
  fi
}

check samples/poem.txt "4 20 102"
check samples/prose.txt "2 27 139"
exit "$failed"
