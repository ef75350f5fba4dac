#!/usr/bin/env bash
# build-test-image.sh builds the image the Docker executor's tests run in,
# anvil-test/bookworm:latest: a minbase Debian bookworm with bash, nodejs,
# git, ca-certificates, python3 (also as "python") and procps (ps, which
# the tests use to look for leftover processes), made with debootstrap
# from the Debian mirror in this machine's apt sources and loaded with
# "docker import". No container registry is needed.
#
# It reuses the image when it already exists; FORCE=1 rebuilds it. IMAGE
# overrides the name, MIRROR the Debian mirror, SUITE the release.
# Needs root (debootstrap) and a reachable Docker engine.
set -euo pipefail
# debootstrap and the chroot it calls live in the sbin folders, which a
# non-login or minimal PATH (env -i, some CI shells) leaves out.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin

IMAGE=${IMAGE:-anvil-test/bookworm:latest}
SUITE=${SUITE:-bookworm}
PACKAGES=bash,nodejs,git,ca-certificates,python3,python-is-python3,procps

log() { echo "build-test-image: $*"; }

# Without a Docker engine (or root, for debootstrap) the container tests
# skip with that reason, unless ANVIL_REQUIRE_DOCKER=1 (CI) makes it an error.
skip_or_fail() {
	if [ "${ANVIL_REQUIRE_DOCKER:-0}" = 1 ]; then
		log "$1" >&2
		exit 1
	fi
	log "$1; the Docker tests will skip (ANVIL_REQUIRE_DOCKER=1 makes this an error)"
	exit 0
}
if ! docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
	skip_or_fail "no Docker engine is reachable (check DOCKER_HOST and that dockerd runs)"
fi
if [ "${FORCE:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
	log "$IMAGE already exists, reusing it (FORCE=1 rebuilds)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	skip_or_fail "building $IMAGE with debootstrap needs root: run 'sudo scripts/build-test-image.sh' once"
fi

# mirror prints the first Debian mirror of the apt sources that serves
# $SUITE, from deb822 .sources files or one-line sources.list entries.
mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		awk -v suite="$SUITE" '
			function flush() { if (uris != "" && (" " suites " ") ~ (" " suite " ") && types ~ /(^| )deb( |$)/) { split(uris, u, " "); print u[1]; found = 1; exit } uris = suites = types = "" }
			/^[ \t]*$/ { flush(); next }
			/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
			/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
			/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
			END { if (!found) flush() }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		awk -v suite="$SUITE" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i+1) == suite) { print $i; exit } }' "$f"
	done
}

MIRROR=${MIRROR:-$(mirror | head -n 1)}
if [ -z "$MIRROR" ]; then
	log "no apt source for $SUITE found in /etc/apt/sources.list*: set MIRROR to a Debian mirror URL" >&2
	exit 1
fi
log "using the Debian mirror $MIRROR"

if ! command -v debootstrap >/dev/null 2>&1; then
	log "installing debootstrap"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
	command -v debootstrap >/dev/null 2>&1 || {
		log "apt-get installed debootstrap but it is not on PATH ($PATH): install it by hand (apt-get install debootstrap)" >&2
		exit 1
	}
fi

target=$(mktemp -d /tmp/anvil-test-image.XXXXXX)
trap 'rm -rf "$target"' EXIT

log "debootstrap --variant=minbase $SUITE with $PACKAGES (takes a few minutes)"
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$target" "$MIRROR" >"$target.log" 2>&1 || {
	tail -n 30 "$target.log" >&2
	log "debootstrap failed; the full log is $target.log" >&2
	exit 1
}
rm -f "$target.log"
rm -rf "$target"/var/cache/apt/archives/*.deb "$target"/var/lib/apt/lists/* "$target"/tmp/* 2>/dev/null || true

log "importing into Docker as $IMAGE"
tar -C "$target" --numeric-owner -c . | docker import \
	--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	--change 'ENV LANG=C.UTF-8' \
	--change 'CMD ["bash"]' \
	- "$IMAGE" >/dev/null
log "done: $(docker image inspect --format '{{.Id}} {{.Size}} bytes' "$IMAGE")"
