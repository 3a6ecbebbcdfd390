#!/bin/sh
# The application: a virtualenv in /opt/callbox/.venv made by the image's own Python from the wheels of 10-wheels.sh
# only (no index), its byte code compiled now (the root is read-only on the box), the phone-number data file made
# (appliance.rating.phonedata), the `callbox` system user that runs it and the `maint` user of SSH logins.
set -eux; export LC_ALL=C
rm -rf "$ROOTFS/opt/callbox" "$ROOTFS/tmp/wheels"
cp -r "$OUT/wheels" "$ROOTFS/tmp/wheels"
cp "$REPO/image/requirements.lock" "$ROOTFS/tmp/wheels/"
sh "$IN_ROOT" python3 -m venv /opt/callbox/.venv
if [ "$ARCH" = amd64 ]; then
    # checked-hash .pyc files (SOURCE_DATE_EPOCH makes pip's compileall use them): the same bytes at every build
    sh "$IN_ROOT" /opt/callbox/.venv/bin/pip install -q --disable-pip-version-check --no-index --find-links /tmp/wheels \
        -r /tmp/wheels/requirements.lock callbox
    sh "$IN_ROOT" /opt/callbox/.venv/bin/python -m appliance.rating.phonedata
else
    # another machine's Python runs emulated (qemu-user, 10-50 times slower): pip only unpacks there; the byte code
    # (the same for every machine of one Python version, 3.11) and the phone-number data file (SQLite, the same on
    # every machine; phonenumbers of the lock) are made by the build machine's Python, as the image's would
    sh "$IN_ROOT" /opt/callbox/.venv/bin/pip install -q --disable-pip-version-check --no-index --find-links /tmp/wheels \
        --no-compile -r /tmp/wheels/requirements.lock callbox
    py=$REPO/.venv/bin/python
    test "$("$py" -c 'import sys; print(sys.version_info[:2])')" = "$(sh "$IN_ROOT" python3 -c 'import sys; print(sys.version_info[:2])')"
    site=$(echo "$ROOTFS"/opt/callbox/.venv/lib/python3*/site-packages)
    "$py" -m compileall -q -j 0 --invalidation-mode checked-hash -s "$ROOTFS" -p / "$site"
    phonenumbers=$(grep '^phonenumbers==' "$REPO/image/requirements.lock" | cut -d= -f3)
    test "$("$py" -c 'import phonenumbers; print(phonenumbers.__version__)')" = "$phonenumbers"
    mkdir -p "$ROOTFS/opt/callbox/.venv/share/callbox"
    "$py" -m appliance.rating.phonedata "$ROOTFS/opt/callbox/.venv/share/callbox/phonedata-$phonenumbers.sqlite"
fi
sh "$IN_ROOT" /opt/callbox/.venv/bin/pip freeze --disable-pip-version-check > "$OUT/python-packages.txt"
rm -rf "$ROOTFS/tmp/wheels" "$ROOTFS/root/.cache"
# the callbox user: a fixed id, so the data partition made with the image (image/data-partition.sh) matches it; no
# login, no password, no supplementary group (only callbox-capture.service adds the serial ports' group, dialout)
sh "$IN_ROOT" groupadd --system --gid 990 callbox
sh "$IN_ROOT" useradd --system --uid 990 --gid 990 --home-dir /var/lib/callbox --no-create-home \
    --shell /usr/sbin/nologin --comment "Callbox appliance" callbox
# the maint user: SSH logins for maintenance, off until the web's SSH page turns them on, with keys only
# (image/rootfs/usr/lib/callbox/apply-ssh, etc/ssh/sshd_config.d/callbox.conf); no password ('*': none ever matches);
# reads the journal (systemd-journal), nothing else; its home is in RAM (apply-ssh makes it), the root is read-only
sh "$IN_ROOT" groupadd --system --gid 991 maint
sh "$IN_ROOT" useradd --system --uid 991 --gid 991 --groups systemd-journal --home-dir /run/callbox-ssh/home \
    --no-create-home --shell /bin/bash --password '*' --comment "Callbox maintenance (SSH)" maint
