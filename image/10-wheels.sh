#!/bin/sh
# The wheels of the application and of every package in requirements.lock (cached in $OUT/wheels: PyPI is only asked
# for what is not there yet). The callbox wheel is made from this tree each time.
set -eux; export LC_ALL=C
mkdir -p "$OUT/wheels"
rm -f "$OUT"/wheels/callbox-*.whl
"$REPO/.venv/bin/python" -m pip wheel -q --disable-pip-version-check --wheel-dir "$OUT/wheels" --find-links "$OUT/wheels" \
    --no-deps -r "$REPO/image/requirements.lock"
# from a copy of the tree: setuptools leaves build/ behind where it builds
rm -rf "$WORK/src"
mkdir -p "$WORK/src"
tar -C "$REPO" --exclude=./.git --exclude=./.venv --exclude=./.image --exclude=./build --exclude=./var -cf - . |
    tar -C "$WORK/src" -xf -
"$REPO/.venv/bin/python" -m pip wheel -q --disable-pip-version-check --wheel-dir "$OUT/wheels" --no-deps "$WORK/src"
