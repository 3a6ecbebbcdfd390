# Callbox. `make run` and `make test` work on a fresh Debian 12 with Python 3.11; nothing to install by hand.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA ?= var
# generated benchmark databases (10,000,000 calls: about 2 GB), kept between runs
BENCH ?= .bench

.PHONY: default install run test test-fast lint bench check clean system-deps messages

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

test: install system-deps
	$(BIN)/python -m pytest -q

# the edit-test loop: everything but the tests marked slow (processes, servers, browsers)
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow"

lint: install
	$(BIN)/flake8 appliance drivers webui tests
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: install
	$(BIN)/python -m appliance.tools.bench_footprint --dir $(BENCH)
	$(BIN)/python -m appliance.tools.bench
	$(BIN)/python -m appliance.tools.bench_rating
	$(BIN)/python -m appliance.tools.bench_reports --calls 10000000 --dir $(BENCH) --runs 5
	$(BIN)/python -m appliance.tools.bench_queue --calls 3000000 --dir $(BENCH) --runs 5
	$(BIN)/python -m appliance.tools.bench_web --dir $(BENCH) --think 2
	$(BIN)/python -m appliance.tools.bench_web --dir $(BENCH)

messages: install
	$(BIN)/python -m webui.i18n_extract

check: test lint

clean:
	rm -rf $(VENV) *.egg-info
