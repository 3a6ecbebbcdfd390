#!/bin/sh
# The update bundle of this build, $OUT/callbox-$ARCH.raucb: slot A's root (the squashfs of 50-disk.sh), its kernel
# and initramfs, and the hook that puts them on the EFI system partition (image/rauc/bundle-hook), signed with the
# key of 15-keys.sh. `callbox` boxes install it into their other root slot (RAUC) from the Update page.
set -eux; export LC_ALL=C
sh "$REPO/image/make-bundle.sh" "$WORK/root.sqfs" "$(ls "$ROOTFS"/boot/vmlinuz-* | tail -1)" \
    "$(ls "$ROOTFS"/boot/initrd.img-* | tail -1)" "$(cat "$ROOTFS/usr/share/callbox/version")" \
    "$OUT/keys/signing.cert.pem" "$OUT/keys/signing.key.pem" "$OUT/callbox-$ARCH.raucb"
rauc info --keyring="$OUT/keys/keyring.pem" "$OUT/callbox-$ARCH.raucb"
