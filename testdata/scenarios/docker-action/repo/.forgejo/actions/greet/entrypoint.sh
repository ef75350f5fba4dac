#!/bin/sh
set -e
echo "hello $1 (INPUT_WHO=$INPUT_WHO, FROM_ACTION_ENV=$FROM_ACTION_ENV)"
echo "in $(pwd), workspace has $(ls "$GITHUB_WORKSPACE/.forgejo")"
echo "greeting=hello $1" >> "$GITHUB_OUTPUT"
echo "FROM_DOCKER_ACTION=set by the action" >> "$GITHUB_ENV"
