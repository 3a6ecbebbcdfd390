#!/bin/sh
# Run a command inside the image's root ($ROOTFS) with /proc, /sys and /dev, in a mount namespace of its own (the
# mounts vanish with it, even if the command fails).
set -eu
exec unshare --mount --propagation private sh -euc '
    root=$1; shift
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --rbind /dev "$root/dev"
    exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
        SOURCE_DATE_EPOCH="$SOURCE_DATE_EPOCH" "$@"' in-root "$ROOTFS" "$@"
