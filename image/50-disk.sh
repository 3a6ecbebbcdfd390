#!/bin/sh
# The disk image, made from files without mounting anything: a GPT with the EFI system partition (systemd-boot, the
# kernel and initramfs of slot A), two root slots A and B for updates (A: the root as a read-only squashfs; B empty
# until an update writes it) and the data partition. Fixed partition UUIDs: root=PARTUUID= in the boot entry.
set -eux; export LC_ALL=C
export MTOOLS_SKIP_CHECK=1
IMG=$OUT/callbox-$ARCH.img
# what differs on arm64 (a generic UEFI board): systemd-boot's name, the root partition type, the serial console (PL011)
case $ARCH in
    amd64) EFI=x64 ROOT_TYPE=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709 SERIAL=ttyS0 ;;
    arm64) EFI=aa64 ROOT_TYPE=B921B045-1DF0-41C3-AF44-4C6F280D3FAE SERIAL=ttyAMA0 ;;
esac
ESP_MB=192 SLOT_MB=640 DATA_MB=512
ROOT_A=b0c5a000-ca11-4b0c-8000-00000000000a ROOT_B=b0c5a000-ca11-4b0c-8000-00000000000b
# every file the build made or changed gets the build's time stamp (files from packages keep theirs: Debian's .pyc
# files name their source's time)
find "$ROOTFS" -newermt "@$SOURCE_DATE_EPOCH" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +
rm -f "$WORK/root.sqfs"
# (its SOURCE_DATE_EPOCH would set every file's time stamp too; -mkfs-time sets the file system's only)
env -u SOURCE_DATE_EPOCH mksquashfs "$ROOTFS" "$WORK/root.sqfs" -comp zstd -Xcompression-level 6 -noappend -quiet -no-progress -mkfs-time "$SOURCE_DATE_EPOCH" \
    -wildcards -e 'boot/*' 'var/lib/apt/lists/*'
test "$(stat -c %s "$WORK/root.sqfs")" -le $((SLOT_MB * 1024 * 1024))

# EFI system partition: systemd-boot (no menu, no editing of the kernel command line), slot A's kernel and initramfs
kernel=$(ls "$ROOTFS"/boot/vmlinuz-* | tail -1)
initrd=$(ls "$ROOTFS"/boot/initrd.img-* | tail -1)
mkdir -p "$WORK/esp/EFI/BOOT" "$WORK/esp/loader/entries" "$WORK/esp/a"
cp "$ROOTFS/usr/lib/systemd/boot/efi/systemd-boot$EFI.efi" "$WORK/esp/EFI/BOOT/BOOT$(echo $EFI | tr a-z A-Z).EFI"
cp "$kernel" "$WORK/esp/a/vmlinuz"
cp "$initrd" "$WORK/esp/a/initrd.img"
# the first entry of systemd-boot's sorted list that matches: the primary slot's (sort-key callbox-1), unless its
# boot tries ran out (updates: image/rootfs/usr/lib/callbox/rauc-boot)
printf 'default callbox-*\ntimeout 0\neditor no\n' > "$WORK/esp/loader/loader.conf"
cat > "$WORK/esp/loader/entries/callbox-a.conf" <<ENTRY
title Callbox $(cat "$ROOTFS/usr/share/callbox/version") (slot a)
linux /a/vmlinuz
initrd /a/initrd.img
options root=PARTUUID=$ROOT_A rootfstype=squashfs ro rauc.slot=a console=tty0 console=ttyS0,115200 systemd.firstboot=off systemd.gpt_auto=0 panic=10
sort-key callbox-1
ENTRY
sed -i "s/console=ttyS0,/console=$SERIAL,/" "$WORK/esp/loader/entries/callbox-a.conf"
find "$WORK/esp" -exec touch --date="@$SOURCE_DATE_EPOCH" {} +
rm -f "$WORK/esp.img"
mkfs.vfat -C -F 32 -n CALLBOX-ESP -i CA11B0C5 "$WORK/esp.img" $((ESP_MB * 1024)) >/dev/null
mcopy -s -m -i "$WORK/esp.img" "$WORK/esp/EFI" "$WORK/esp/loader" "$WORK/esp/a" ::/

sh "$REPO/image/data-partition.sh" "$REPO/image/callbox.ini" "$WORK/data.ext4" "${DATA_MB}M"

# the partition table; each part is written at its start (sectors of 512 bytes, 1 MiB = 2048)
start_esp=2048
start_a=$((start_esp + ESP_MB * 2048))
start_b=$((start_a + SLOT_MB * 2048))
start_data=$((start_b + SLOT_MB * 2048))
end=$((start_data + DATA_MB * 2048))
rm -f "$IMG.part"
truncate -s $(((end + 2048) * 512)) "$IMG.part"
sfdisk -q "$IMG.part" <<TABLE
label: gpt
label-id: B0C5A000-CA11-4B0C-8000-000000000000
start=$start_esp, size=$((ESP_MB * 2048)), type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=b0c5a000-ca11-4b0c-8000-0000000000e5, name=esp
start=$start_a, size=$((SLOT_MB * 2048)), type=$ROOT_TYPE, uuid=$ROOT_A, name=root-a
start=$start_b, size=$((SLOT_MB * 2048)), type=$ROOT_TYPE, uuid=$ROOT_B, name=root-b
start=$start_data, size=$((DATA_MB * 2048)), type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=b0c5a000-ca11-4b0c-8000-00000000da7a, name=callbox-data
TABLE
dd if="$WORK/esp.img" of="$IMG.part" bs=1M seek=$((start_esp / 2048)) conv=notrunc,sparse status=none
dd if="$WORK/root.sqfs" of="$IMG.part" bs=1M seek=$((start_a / 2048)) conv=notrunc,sparse status=none
dd if="$WORK/data.ext4" of="$IMG.part" bs=1M seek=$((start_data / 2048)) conv=notrunc,sparse status=none
mv "$IMG.part" "$IMG"
printf 'root_a_start=%s\nslot_bytes=%s\ndata_start=%s\ndata_bytes=%s\n' $((start_a * 512)) $((SLOT_MB * 1048576)) \
    $((start_data * 512)) $((DATA_MB * 1048576)) > "$OUT/layout.txt"
( cd "$OUT" && sha256sum "callbox-$ARCH.img" > "callbox-$ARCH.img.sha256" )
echo "image: $(du -k --apparent-size "$IMG" | cut -f1) KiB, $(du -k "$IMG" | cut -f1) KiB allocated; root squashfs $(($(stat -c %s "$WORK/root.sqfs") / 1024)) KiB"
