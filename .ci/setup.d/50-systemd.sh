#!/usr/bin/env bash
# Makes sure systemd-analyze is there: deploy/'s test checks the systemd
# unit (deploy/systemd/anvil.service) with systemd-analyze verify and
# security. Installs the Debian package only when it is missing; nothing
# is started (the tests only analyze files).
set -euo pipefail

if command -v systemd-analyze >/dev/null 2>&1; then
	echo "systemd-analyze $(systemd-analyze --version | sed -n '1s/^systemd \([0-9]*\).*/\1/p'): present"
	exit 0
fi
echo "systemd-analyze: installing the systemd package"
sudo=""
if [ "$(id -u)" != 0 ]; then
	sudo=sudo
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends systemd
systemd-analyze --version | sed -n 1p
