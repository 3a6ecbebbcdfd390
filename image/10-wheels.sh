#!/bin/sh
# The wheels of the application and of every package in requirements.lock (cached in $OUT/wheels: PyPI is only asked
# for what is not there yet). The callbox wheel is made from this tree each time.
set -eux; export LC_ALL=C
mkdir -p "$OUT/wheels"
rm -f "$OUT"/wheels/callbox-*.whl
if [ "$ARCH" = amd64 ]; then
    "$REPO/.venv/bin/python" -m pip wheel -q --disable-pip-version-check --wheel-dir "$OUT/wheels" \
        --find-links "$OUT/wheels" --no-deps -r "$REPO/image/requirements.lock"
else   # another machine's: PyPI's binary wheels for it (Debian 12's Python 3.11; every pin has one), nothing built here
    "$REPO/.venv/bin/python" -m pip download -q --disable-pip-version-check --dest "$OUT/wheels" --find-links "$OUT/wheels" \
        --no-deps --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none \
        --platform manylinux_2_28_aarch64 --platform manylinux_2_17_aarch64 --platform manylinux2014_aarch64 \
        -r "$REPO/image/requirements.lock"
fi
# from a copy of the tree: setuptools leaves build/ behind where it builds
rm -rf "$WORK/src"
mkdir -p "$WORK/src"
tar -C "$REPO" --exclude=./.git --exclude=./.venv --exclude=./.image --exclude=./build --exclude=./var -cf - . |
    tar -C "$WORK/src" -xf -
"$REPO/.venv/bin/python" -m pip wheel -q --disable-pip-version-check --wheel-dir "$OUT/wheels" --no-deps "$WORK/src"
