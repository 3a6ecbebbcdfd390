#!/bin/sh
# Install the Debian packages in system-deps.txt (or those named as arguments) that are missing. Needs root
# (CI and the image build are); without root it only lists what is missing, so a developer's `make test` runs.
set -eu
cd "$(dirname "$0")"
wanted=${*:-$(grep -v '^#' system-deps.txt)}
missing=""
for pkg in $wanted; do
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
