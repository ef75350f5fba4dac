#!/usr/bin/env bash
# Makes sure the remote-action tests (executor/resolve, cmd) have what they
# run: git with `git http-backend` (the loopback git server) and Node.js
# (node actions). Installs the Debian packages only when something is
# missing; prints what it found otherwise.
set -euo pipefail

missing=()
if ! command -v git >/dev/null 2>&1 || [ ! -x "$(git --exec-path 2>/dev/null)/git-http-backend" ]; then
	missing+=(git)
fi
if ! command -v node >/dev/null 2>&1; then
	missing+=(nodejs)
fi

if [ ${#missing[@]} -eq 0 ]; then
	echo "git $(git --version | cut -d' ' -f3) with http-backend, node $(node --version): present"
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "missing ${missing[*]} and not root without sudo: install them (apt-get install ${missing[*]})" >&2
		exit 1
	fi
	sudo="sudo"
fi
echo "installing ${missing[*]} with apt-get"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "git $(git --version | cut -d' ' -f3), node $(node --version): installed"
