#!/bin/sh
# The root file system from Debian 12 (bookworm) packages: Debian's essential set plus provisioning/image-packages.txt,
# no recommends. deb.debian.org serves the current point release, so a later build may take newer packages: the
# exact list goes to $OUT/packages.txt (and into the image).
set -eux; export LC_ALL=C
rm -rf "$ROOTFS"
# before the kernel's postinst makes the initramfs: every storage driver (the box's disk is not known here), zstd
cat > "$WORK/initramfs.conf" <<'CONF'
MODULES=most
COMPRESS=zstd
CONF
# (the list names amd64's kernel: arm64's for ARCH=arm64)
pkgs=$(grep -v '^#' "$REPO/provisioning/image-packages.txt" | sed "s/^linux-image-amd64\$/linux-image-$ARCH/" | tr '\n' ',' |
    sed 's/,$//')
# Another machine's packages (arm64) run emulated, where one initramfs takes most of an hour (MODULES=most: a few
# emulated programs per module), and Debian makes it twice (the kernel's postinst, then initramfs-tools' trigger once
# the last packages are configured): there update-initramfs is a no-op during mmdebstrap (diverted), and the initramfs
# is made once after it, from the whole root. (amd64, native: as Debian does it, the image unchanged.)
set --
if [ "$ARCH" != amd64 ]; then
    set -- --essential-hook='chroot "$1" dpkg-divert --quiet --local --rename --divert /usr/sbin/update-initramfs.callbox --add /usr/sbin/update-initramfs && printf "#!/bin/sh\nexit 0\n" > "$1/usr/sbin/update-initramfs" && chmod 0755 "$1/usr/sbin/update-initramfs"'
fi
# Debian's maintainer scripts run inside mmdebstrap with its environment: without the build's own variables (the
# kernel's postinst runs mkinitramfs, which writes an environment's ROOT into the initramfs as conf/conf.d/root)
env -u ROOTFS -u WORK -u OUT -u REPO -u IN_ROOT -u ARCH -u ROOT \
    mmdebstrap --mode=root --variant=essential --arch="$ARCH" --include="$pkgs" \
    --essential-hook="mkdir -p \"\$1/etc/initramfs-tools/conf.d\"; cp $WORK/initramfs.conf \"\$1/etc/initramfs-tools/conf.d/callbox.conf\"" \
    --essential-hook="echo squashfs >> \"\$1/etc/initramfs-tools/modules\"" \
    "$@" \
    bookworm "$ROOTFS" \
    "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main"
if [ "$ARCH" != amd64 ]; then
    rm "$ROOTFS/usr/sbin/update-initramfs"
    chroot "$ROOTFS" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs
    sh "$IN_ROOT" update-initramfs -c -k all
fi
# the initramfs holds nothing of the build machine: no conf/conf.d/root (initramfs-tools' own ROOT, taken from the
# environment, which held the build machine's path)
if sh "$IN_ROOT" sh -c 'lsinitramfs /boot/initrd.img-*' | grep -E '(^|/)conf/conf.d/root$'; then
    echo "the initramfs holds conf/conf.d/root (a ROOT variable leaked into mkinitramfs)" >&2; exit 1
fi
chroot "$ROOTFS" dpkg-query -W -f '${Package} ${Version} ${Architecture}\n' > "$OUT/packages.txt"
