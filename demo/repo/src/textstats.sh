#!/usr/bin/env bash
# textstats.sh FILE prints FILE's lines, words and characters.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: textstats.sh FILE" >&2
  exit 2
fi
read -r lines words chars < <(wc -l -w -m <"$1")
echo "$lines $words $chars"
