#!/bin/sh
# Fetch the vendored web UI files listed in vendor.txt again from the npm registry and check each one's sha256.
# `npm pack` checks the tarball against the registry's integrity hash. To upgrade: change the version (and the
# source URL) in vendor.txt, run this script with --update (it writes the new sha256 sums), review, commit.
# Needs npm and the registry: run it on a developer machine, never on the appliance.
set -eu
cd "$(dirname "$0")/.."
update=no
[ "${1:-}" = "--update" ] && update=yes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^#' provisioning/vendor.txt | while IFS="	" read -r name version path dest sum url; do
    [ -n "$name" ] || continue
    dir="$tmp/$name-$version"
    if [ ! -d "$dir" ]; then
        mkdir -p "$dir"
        (cd "$dir" && npm pack --silent "$name@$version" >/dev/null && tar xzf ./*.tgz)
    fi
    got=$(sha256sum "$dir/package/$path" | cut -d' ' -f1)
    if [ "$got" = "$sum" ]; then
        cp "$dir/package/$path" "$dest"
        echo "ok       $dest ($name $version)"
    elif [ "$update" = yes ]; then
        cp "$dir/package/$path" "$dest"
        sed -i "s|$sum|$got|" provisioning/vendor.txt
        echo "updated  $dest ($name $version): $got"
    else
        echo "MISMATCH $dest ($name $version): sha256 $got, vendor.txt says $sum (from $url)" >&2
        exit 1
    fi
done
