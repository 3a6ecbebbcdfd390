#!/bin/sh
# The system around the application: the files of image/rootfs/ (mounts, journald in RAM, watchdog, DHCP, console
# banner), the units of image/systemd/ enabled, mount points of the read-only root, no password and no per-device
# identity (machine-id is made at each boot, the TLS certificate and admin at the first start, on the data partition).
set -eux; export LC_ALL=C
cp -r "$REPO/image/rootfs/." "$ROOTFS/"
install -m 0644 "$REPO"/image/systemd/*.service "$REPO"/image/systemd/*.path "$ROOTFS/usr/lib/systemd/system/"
mkdir -p "$ROOTFS/data" "$ROOTFS/var/lib/callbox" "$ROOTFS/usr/share/callbox" "$ROOTFS/efi"
install -m 0644 "$REPO/image/callbox.ini" "$ROOTFS/usr/share/callbox/callbox.ini"
cp "$OUT/packages.txt" "$OUT/python-packages.txt" "$ROOTFS/usr/share/callbox/"
# the version the web and the update history show: the package's and the commit's
commit=$(git -C "$REPO" rev-parse --short=10 HEAD 2>/dev/null || echo "$SOURCE_DATE_EPOCH")
echo "$(sh "$IN_ROOT" /opt/callbox/.venv/bin/python -c 'import appliance; print(appliance.__version__)')+g$commit" \
    > "$ROOTFS/usr/share/callbox/version"
# updates: RAUC's slots and the keyring bundles must be signed for (image/15-keys.sh)
mkdir -p "$ROOTFS/etc/rauc"
# (its compatible names the architecture: an arm64 box takes no amd64 bundle)
sed "s/^compatible=callbox-amd64\$/compatible=callbox-$ARCH/" "$REPO/image/rauc/system.conf" > "$ROOTFS/etc/rauc/system.conf"
chmod 0644 "$ROOTFS/etc/rauc/system.conf"
install -m 0644 "$OUT/keys/keyring.pem" "$ROOTFS/etc/rauc/keyring.pem"
for unit in "$REPO"/image/systemd/*.service "$REPO"/image/systemd/*.path; do
    if grep -q '^\[Install\]' "$unit"; then systemctl --root="$ROOTFS" enable "$(basename "$unit")"; fi
done
systemctl --root="$ROOTFS" enable systemd-networkd.service systemd-resolved.service systemd-timesyncd.service
# no password login anywhere: root's password stays locked ('*' from Debian's base-passwd), no getty on the console
# (it could only ask for a password nobody has), no first-boot prompts; the SSH server is installed but not started:
# only callbox-ssh.service (apply-ssh) starts it, once an administrator turned SSH on from the web with keys
test "$(grep '^root:' "$ROOTFS/etc/shadow" | cut -d: -f2)" = '*'
if cut -d: -f2 "$ROOTFS/etc/shadow" | grep -qv '^[*!]'; then echo "an account of the image has a password" >&2; exit 1; fi
systemctl --root="$ROOTFS" mask getty@.service serial-getty@.service systemd-firstboot.service
test -x "$ROOTFS/usr/sbin/sshd"
systemctl --root="$ROOTFS" disable ssh.service ssh.socket
test ! -e "$ROOTFS/etc/systemd/system/multi-user.target.wants/ssh.service"
sed -i "s/^\([^:]*:[^:]*:\)[0-9]*:/\1$((SOURCE_DATE_EPOCH / 86400)):/" "$ROOTFS/etc/shadow"
# per-device identity: none in the image
: > "$ROOTFS/etc/machine-id"
rm -f "$ROOTFS/var/lib/dbus/machine-id" "$ROOTFS/var/lib/systemd/random-seed" "$ROOTFS"/etc/ssh/ssh_host_*
rm -rf "$ROOTFS/var/log/"* "$ROOTFS/var/cache/"* "$ROOTFS/tmp/"* "$ROOTFS/var/tmp/"*
