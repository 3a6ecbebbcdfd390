#!/bin/sh
# `make image`: a bootable amd64 disk image of the appliance, from Debian 12 packages (mmdebstrap) and the wheels of
# image/requirements.lock; `make image-arm64`: the same for a generic UEFI arm64 board (ARCH=arm64: Debian's arm64
# packages run under qemu-user-static through binfmt_misc, the lock's aarch64 wheels). Runs the steps
# image/NN-name.sh in lexical order; everything it makes is under $OUT (default .image/, outside git):
# callbox-$ARCH.img (raw GPT disk), its parts and a manifest. Needs root (mmdebstrap
# and chroot) and the packages of provisioning/image-build-deps.txt. The image is built, never booted, and holds no
# per-device secret, ID or certificate: the box makes those on its first start.
set -eu
export LC_ALL=C
REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$REPO/.image}
# every time stamp in the image is this one (the last commit's), so the same commit gives the same files
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$REPO" log -1 --format=%ct 2>/dev/null || echo 1767225600)}
ARCH=${ARCH:-amd64}
case $ARCH in amd64|arm64) ;; *) echo "ARCH=$ARCH: amd64 or arm64" >&2; exit 1 ;; esac
export ARCH REPO OUT SOURCE_DATE_EPOCH WORK="$OUT/work" ROOTFS="$OUT/work/rootfs" IN_ROOT="$REPO/image/in-root.sh"
if [ "$(id -u)" -ne 0 ]; then echo "make image needs root (mmdebstrap, chroot)" >&2; exit 1; fi
mkdir -p "$OUT" "$WORK"
start=$(date +%s)
for step in "$REPO"/image/[0-9][0-9]-*.sh; do
    echo "== $(basename "$step") ($(($(date +%s) - start)) s)"
    sh "$step"
done
echo "== built $OUT/callbox-$ARCH.img in $(($(date +%s) - start)) s"
