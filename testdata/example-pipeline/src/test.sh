#!/bin/sh
# Tests of the web service.
set -eu
dir=$(dirname "$0")
got=$(sh "$dir/app.sh" anvil)
[ "$got" = "hello, anvil" ] || { echo "FAIL: greeting is '$got'"; exit 1; }
got=$(sh "$dir/app.sh")
[ "$got" = "hello, world" ] || { echo "FAIL: default greeting is '$got'"; exit 1; }
echo "ok: 2 tests"
