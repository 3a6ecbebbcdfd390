# Callbox. `make run` and `make test` work on a fresh Debian 12 with Python 3.11; nothing to install by hand.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= var
# generated benchmark databases (10,000,000 calls: about 2 GB), kept between runs
BENCH ?= .bench
# the appliance image and its build caches (make image), outside git
IMAGE_OUT ?= .image

.PHONY: default install run test test-fast lint bench bench-core check clean system-deps messages image image-test image-update-test image-lock

default: test lint

$(BIN)/.installed: setup.cfg
	$(PY) -m venv $(VENV) || { sh provisioning/install-system-deps.sh python3-venv && $(PY) -m venv $(VENV); }
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -m appliance.rating.phonedata
	touch $@

install: $(BIN)/.installed

system-deps:
	sh provisioning/install-system-deps.sh

run: install
	$(BIN)/callbox run --data $(DATA)

# the tests on PYTEST_WORKERS processes (pytest-xdist; 0: in this one process), a test file's tests on one of them
# (loadfile: its module-scoped servers, data and browser made once): CI's 2 cores both busy
PYTEST_WORKERS ?= 2
test: install system-deps
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile --durations=15

# the same tests in one process (as `make test` ran them before; PYTEST_WORKERS=0 does the same)
.PHONY: test-serial
test-serial: install system-deps
	$(BIN)/python -m pytest -q --durations=15

# the edit-test loop: everything but the tests marked slow (processes, servers, browsers)
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

lint: install
	$(BIN)/flake8 appliance drivers webui tests
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# issue 14's figures first (whole-box PSS, import, the web next to the hello server, every report page at 10,000,000
# calls), then the other benchmarks; `make bench-core` stops after the first group
bench: bench-core
	$(BIN)/python -m appliance.tools.bench_rating --dir $(BENCH)
	$(BIN)/python -m appliance.tools.bench_queue --calls 3000000 --dir $(BENCH) --runs 5
	$(BIN)/python -m appliance.tools.bench_web --dir $(BENCH) --think 2
	$(BIN)/python -m appliance.tools.bench_central --calls 1000000 --report-calls 10000000 --dir $(BENCH)

bench-core: install
	$(BIN)/python -m appliance.tools.bench_footprint --dir $(BENCH) --runs 3
	$(BIN)/python -m appliance.tools.bench --dir $(BENCH) --runs 3
	$(BIN)/python -m appliance.tools.bench_web --dir $(BENCH) --runs 3
	$(BIN)/python -m appliance.tools.bench_reports --calls 10000000 --dir $(BENCH) --runs 5
	$(BIN)/python -m appliance.tools.bench_pages --calls 10000000 --dir $(BENCH) --db $(BENCH)/bench-10000000-1.db --runs 3

messages: install
	$(BIN)/python -m webui.i18n_extract

check: test lint

# the amd64 appliance image (needs root: mmdebstrap, chroot); image/build.sh says what it makes
image: install
	sh provisioning/install-system-deps.sh $$(grep -v '^#' provisioning/image-build-deps.txt)
	OUT=$(abspath $(IMAGE_OUT)) sh image/build.sh

# the arm64 image for a generic UEFI arm64 board (not in CI: the arm64 programs run emulated, qemu-user-static through
# binfmt_misc, which this mounts and registers if needed): .image/arm64/callbox-arm64.img
.PHONY: image-arm64
image-arm64: install
	sh provisioning/install-system-deps.sh $$(grep -hv '^#' provisioning/image-build-deps.txt provisioning/image-build-deps-arm64.txt)
	mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
	update-binfmts --enable qemu-aarch64 || true
	arch-test arm64
	ARCH=arm64 OUT=$(abspath $(IMAGE_OUT))/arm64 sh image/build.sh

# the arm64 image of `make image-arm64` booted in qemu-system-aarch64 (virt, AAVMF) under TCG, not in CI: its web UI,
# the first-boot wizard and a capture (tests/image/test_image_arm64.py); builds nothing
.PHONY: image-test-arm64
image-test-arm64: install
	sh provisioning/install-system-deps.sh $$(grep -hv '^#' provisioning/image-build-deps.txt provisioning/image-build-deps-arm64.txt)
	test -s $(abspath $(IMAGE_OUT))/arm64/callbox-arm64.img || { echo "no arm64 image: make image-arm64 first" >&2; exit 1; }
	CALLBOX_IMAGE_ARM64=$(abspath $(IMAGE_OUT))/arm64/callbox-arm64.img $(BIN)/python -m pytest -q -s tests/image/test_image_arm64.py

# the pins of `pip freeze` with normalised names (PEP 503), sorted, without callbox itself
export LOCK_NAMES = import re, sys; pins = (l.strip().split("==") for l in sys.stdin if "==" in l); \
	print(*sorted(re.sub(r"[-_.]+", "-", n).lower() + "==" + v for n, v in pins if n != "callbox"), sep="\n")
# image/requirements.lock again from install_requires, in a throwaway virtualenv (after changing setup.cfg's pins)
image-lock:
	d=$$(mktemp -d) && $(PY) -m venv $$d/venv && cp -r pyproject.toml setup.cfg README.md appliance drivers webui $$d/ && \
	$$d/venv/bin/pip install -q $$d && { sed -n '1,3p' image/requirements.lock; \
	$$d/venv/bin/pip freeze --exclude-editable | $(PY) -c "$$LOCK_NAMES"; } > $$d/lock && mv $$d/lock image/requirements.lock; \
	rm -rf $$d

# boots the image in qemu and uses it as an installer would (tests/image/test_image_boot.py)
image-test: image
	CALLBOX_IMAGE=$(abspath $(IMAGE_OUT))/callbox-amd64.img $(BIN)/python -m pytest -q -s tests/image/test_image_boot.py

# a whole A/B update round in qemu: a good bundle kept, a broken one rolled back (tests/image/test_image_update.py;
# five boots, not in CI)
image-update-test: image
	CALLBOX_IMAGE=$(abspath $(IMAGE_OUT))/callbox-amd64.img $(BIN)/python -m pytest -q -s tests/image/test_image_update.py

clean:
	rm -rf $(VENV) *.egg-info
