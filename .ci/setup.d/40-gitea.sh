#!/usr/bin/env bash
# Builds Gitea 1.25.4 (the Go module code.gitea.io/gitea) once and caches
# it for the end-to-end tests (e2e/, forge/giteatest), unless a build of
# that version is already there. The cache directory holds:
#   gitea  the binary, built with -tags "sqlite sqlite_unlock_notify"
#   src/   the module source: a build without the bindata tag reads
#          options/, templates/ and public/ from there at run time
#          ([server] STATIC_ROOT_PATH, which forge/giteatest sets)
# The directory is $ANVIL_GITEA_DIR, else $XDG_CACHE_HOME/anvil/gitea-1.25.4
# (~/.cache/anvil/gitea-1.25.4), where forge/giteatest looks for it. The
# build takes several minutes on a fresh machine; later runs reuse it.
set -euo pipefail

version=1.25.4
tags="sqlite sqlite_unlock_notify"
dir="${ANVIL_GITEA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/anvil/gitea-$version}"
bin="$dir/gitea"

have=""
if [ -x "$bin" ] && [ -d "$dir/src/options" ] && [ -d "$dir/src/templates" ]; then
	have="$("$bin" --version 2>/dev/null | sed -n 1p || true)"
fi
case "$have" in
"gitea version $version "*)
	echo "gitea $version: present at $bin"
	exit 0
	;;
esac

echo "gitea $version: building into $dir (found: ${have:-nothing}); this takes several minutes"
start=$SECONDS

# Where the module cache holds the source (downloaded through the module
# proxy when missing). Asked outside any module, so no go.mod is touched.
src="$(cd / && GOFLAGS= go mod download -json "code.gitea.io/gitea@v$version" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
if [ -z "$src" ] || [ ! -f "$src/main.go" ]; then
	echo "go mod download code.gitea.io/gitea@v$version gave no source directory (got '$src')" >&2
	exit 1
fi

# Build in a sibling directory and move it into place only when complete,
# so an interrupted build never looks like a cached one.
mkdir -p "$(dirname "$dir")"
work="$dir.building"
rm -rf "$work"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
cp -R "$src" "$work/src"
chmod -R u+w "$work/src" # the module cache is read-only; the cache must be removable
(
	cd "$work/src"
	go build -tags "$tags" \
		-ldflags "-X main.Version=$version -X 'main.Tags=$tags'" \
		-o "$work/gitea" .
)
have="$("$work/gitea" --version | sed -n 1p)"
case "$have" in
"gitea version $version "*) ;;
*)
	echo "the gitea built in $work reports '$have', want 'gitea version $version ...'" >&2
	exit 1
	;;
esac
rm -rf "$dir"
mv "$work" "$dir"
trap - EXIT
echo "gitea $version: built at $bin in $((SECONDS - start))s"
