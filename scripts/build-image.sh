#!/usr/bin/env bash
# Builds the anvil container image offline, from the static binary (make
# static) and this host's CA certificates, with docker import: no base
# image, no registry, no network. The image holds only
#   /anvil                               the static binary (the entrypoint)
#   /etc/ssl/certs/ca-certificates.crt   for TLS to the forge
#   /etc/passwd, /etc/group              user and group anvil, 65532
#   /tmp                                 mode 1777
# and runs as 65532. There is no shell: jobs with host labels need an image
# built FROM it with their tools; docker:// labels need a Docker engine (the
# Helm chart's sidecar). Usage: scripts/build-image.sh BINARY TAG
set -euo pipefail

bin=${1:?usage: build-image.sh BINARY TAG}
tag=${2:?usage: build-image.sh BINARY TAG}
certs=/etc/ssl/certs/ca-certificates.crt

if ! file "$bin" 2>/dev/null | grep -q "statically linked" && ldd "$bin" >/dev/null 2>&1; then
	echo "$bin is not statically linked: build it with make static" >&2
	exit 1
fi
if [ ! -s "$certs" ]; then
	echo "$certs is missing: install ca-certificates" >&2
	exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/ssl/certs" "$root/tmp"
chmod 1777 "$root/tmp"
install -m 0755 "$bin" "$root/anvil"
install -m 0644 "$certs" "$root/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/:/sbin/nologin\nanvil:x:65532:65532:anvil:/data:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nanvil:x:65532:\n' >"$root/etc/group"

version=$("$bin" version 2>/dev/null | sed -n 1p || true)
# Fixed owners and times, so that the same binary gives the same layer.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$root" -c . |
	docker import \
		--change 'ENTRYPOINT ["/anvil"]' \
		--change 'CMD ["daemon"]' \
		--change 'USER 65532:65532' \
		--change 'WORKDIR /data' \
		--change 'ENV HOME=/data SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
		--change "LABEL org.opencontainers.image.title=anvil org.opencontainers.image.description=\"Anvil CI runner for Forgejo and Gitea\" org.opencontainers.image.version=\"${version:-dev}\"" \
		- "$tag" >/dev/null
echo "built $tag ($(docker image inspect --format '{{.Size}}' "$tag") bytes) from $bin"
