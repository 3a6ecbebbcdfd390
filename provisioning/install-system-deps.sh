#!/bin/sh
# Install the Debian packages in system-deps.txt that are missing. Needs root (CI and the image build are);
# without root it only lists what is missing, so a developer's `make test` still runs.
set -eu
cd "$(dirname "$0")"
missing=""
for pkg in $(grep -v '^#' system-deps.txt | tr -s ' \n' '\n'); do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages (install them as root):$missing" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends $missing
