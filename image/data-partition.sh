#!/bin/sh
# image/data-partition.sh INI OUT [SIZE]: the data partition's ext4 file system in the file OUT (default 512M), with
# INI as the application's callbox.ini. 50-disk.sh makes the image's with image/callbox.ini; `make image-test` makes
# one with the test PBX's settings. Owned by the image's callbox user (uid and gid 990, 30-app.sh).
set -eux; export LC_ALL=C
ini=$1 out=$2 size=${3:-512M}
seed=$(mktemp -d)
trap 'rm -rf "$seed"' EXIT
mkdir -p "$seed/callbox/run" "$seed/callbox/log" "$seed/system/systemd"
install -m 0600 "$ini" "$seed/callbox/callbox.ini"
chown -R 990:990 "$seed/callbox"
chmod 0700 "$seed/callbox" "$seed/callbox/run" "$seed/callbox/log"
chmod 0755 "$seed" "$seed/system" "$seed/system/systemd"
rm -f "$out"
# fixed UUID, hash seed and time stamps: the same INI gives the same bytes
E2FSPROGS_FAKE_TIME=${SOURCE_DATE_EPOCH:-0} mkfs.ext4 -q -L callbox-data -U 5c0ffee0-da7a-4c0b-9a11-b0c5da7a0001 \
    -E hash_seed=5c0ffee0-da7a-4c0b-9a11-b0c5da7a0002,root_owner=0:0 -d "$seed" "$out" "$size"
