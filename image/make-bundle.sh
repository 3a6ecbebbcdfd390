#!/bin/sh
# image/make-bundle.sh ROOT.sqfs VMLINUZ INITRD VERSION CERT KEY OUT: a RAUC bundle for the image's root slots (the
# compatible of image/rauc/system.conf, callbox-$ARCH: ARCH=arm64 for the arm64 image's), signed with CERT and KEY.
# 60-bundle.sh makes the build's own; tests make others (a bundle signed with another key, a broken application).
set -eu
root=$1 kernel=$2 initrd=$3 version=$4 cert=$5 key=$6 out=$7
REPO=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# RAUC picks the slot's update handler by the image's name: *.img is copied as it is into a raw slot
cp "$root" "$dir/root.img"
cp "$kernel" "$dir/vmlinuz"
cp "$initrd" "$dir/initrd.img"
printf '%s\n' "$version" > "$dir/version"
install -m 0755 "$REPO/image/rauc/bundle-hook" "$dir/hook"
cat > "$dir/manifest.raucm" <<MANIFEST
[update]
compatible=$(sed -n 's/^compatible=//p' "$REPO/image/rauc/system.conf" | sed "s/-amd64\$/-${ARCH:-amd64}/")
version=$version

[bundle]
format=plain

[hooks]
filename=hook

[image.rootfs]
filename=root.img
hooks=post-install
MANIFEST
rm -f "$out"
# the root is a compressed squashfs already: the bundle only stores it
rauc bundle --cert="$cert" --key="$key" --mksquashfs-args="-noI -noD -noF -noX" "$dir" "$out"
