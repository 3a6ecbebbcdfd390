#!/bin/sh
# The application: a virtualenv in /opt/callbox/.venv made by the image's own Python from the wheels of 10-wheels.sh
# only (no index), its byte code compiled now (the root is read-only on the box), the phone-number data file made
# (appliance.rating.phonedata), and the `callbox` system user that runs it.
set -eux; export LC_ALL=C
rm -rf "$ROOT/opt/callbox" "$ROOT/tmp/wheels"
cp -r "$OUT/wheels" "$ROOT/tmp/wheels"
cp "$REPO/image/requirements.lock" "$ROOT/tmp/wheels/"
sh "$IN_ROOT" python3 -m venv /opt/callbox/.venv
# checked-hash .pyc files (SOURCE_DATE_EPOCH makes pip's compileall use them): the same bytes at every build
sh "$IN_ROOT" /opt/callbox/.venv/bin/pip install -q --disable-pip-version-check --no-index --find-links /tmp/wheels \
    -r /tmp/wheels/requirements.lock callbox
sh "$IN_ROOT" /opt/callbox/.venv/bin/python -m appliance.rating.phonedata
sh "$IN_ROOT" /opt/callbox/.venv/bin/pip freeze --disable-pip-version-check > "$OUT/python-packages.txt"
rm -rf "$ROOT/tmp/wheels" "$ROOT/root/.cache"
# the callbox user: a fixed id, so the data partition made with the image (image/data-partition.sh) matches it; no
# login, no password, no supplementary group (only callbox-capture.service adds the serial ports' group, dialout)
sh "$IN_ROOT" groupadd --system --gid 990 callbox
sh "$IN_ROOT" useradd --system --uid 990 --gid 990 --home-dir /var/lib/callbox --no-create-home \
    --shell /usr/sbin/nologin --comment "Callbox appliance" callbox
