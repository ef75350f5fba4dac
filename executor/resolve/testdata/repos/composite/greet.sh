#!/usr/bin/env bash
set -eu
version=$(cat "$GITHUB_ACTION_PATH/VERSION")
echo "greet.sh ($version) says hello $1"
echo "text=hello $1 from $version" >> "$GITHUB_OUTPUT"
