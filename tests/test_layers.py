"""The layer contract (setup.cfg [importlinter]): it holds for the tree, and each contract fails when broken."""
from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("appliance", "drivers", "webui")
CAPTURE_MAY_IMPORT = {"journal", "records", "config", "settings", "settings_areas", "logs", "capture", "files"}


def contracts() -> dict[str, configparser.SectionProxy]:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg", encoding="utf-8")
    return {name.split(":", 2)[2]: cfg[name] for name in cfg.sections() if name.startswith("importlinter:contract:")}


def listed(section: configparser.SectionProxy, key: str) -> list[str]:
    return [line.strip() for line in section[key].splitlines() if line.strip()]


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root), "COLUMNS": "250"}   # one line per contract in the summary
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(root / "setup.cfg")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def top_level(package: str) -> set[str]:
    """The modules and packages directly under `package` (appliance: capture, store, records, ...)."""
    base = REPO / package
    return {p.stem for p in base.glob("*.py") if p.stem != "__init__"} | \
        {p.name for p in base.iterdir() if (p / "__init__.py").exists()}


def test_the_tree_keeps_every_contract():
    done = lint_imports(REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout and "0 broken" in done.stdout


def test_every_part_of_the_appliance_has_its_place_in_the_layers():
    """A new package or top-level module is placed in the layers on purpose, not left unconstrained."""
    layers = " ".join(listed(contracts()["layers"], "layers")).replace("|", " ").replace(":", " ").split()
    placed = {name.split(".", 1)[1] for name in layers if name.startswith("appliance.")}
    assert top_level("appliance") == placed
    assert "webui" in layers and "drivers" in layers


def test_capture_s_forbidden_list_covers_everything_it_may_not_import():
    forbidden = {m.split(".", 1)[1] for m in listed(contracts()["capture"], "forbidden_modules")
                 if m.startswith("appliance.")}
    assert top_level("appliance") - CAPTURE_MAY_IMPORT == forbidden
    assert {"drivers", "webui"} <= set(listed(contracts()["capture"], "forbidden_modules"))


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The three packages and the contract, copied: each test breaks its copy of one module."""
    root = tmp_path_factory.mktemp("tree")
    for pkg in PACKAGES:
        skip = shutil.ignore_patterns("__pycache__", "*.tpl", "static", "locale", "samples")
        shutil.copytree(REPO / pkg, root / pkg, ignore=skip)
    shutil.copy(REPO / "setup.cfg", root / "setup.cfg")
    return root


# (module to change, the import it gets, the contract that must break)
BREAKS = [
    ("drivers/generic.py", "import appliance.store", "Drivers import only appliance.records"),
    ("drivers/generic.py", "import drivers.threecx", "No driver imports another driver"),
    ("appliance/capture/sink.py", "import appliance.store", "Capture imports only journal, records"),
    ("appliance/capture/links.py", "import appliance.registry", "Capture imports only journal, records"),
    ("webui/calls.py", "import appliance.ingest.parse", "The web reaches data only through webui.db"),
    ("webui/home.py", "import appliance.store.users", "The web reaches data only through webui.db"),
    ("appliance/records.py", "import appliance.cli.main", "Layers:"),
    ("appliance/store/__init__.py", "import webui.app", "Layers:"),
    ("appliance/reports/engine.py", "import appliance.ingest.worker", "Layers:"),
    ("appliance/rating/rate.py", "import appliance.billing.bills", "Layers:"),
]


@pytest.mark.parametrize("module, line, contract", BREAKS, ids=[f"{m}:{ln}" for m, ln, _ in BREAKS])
def test_an_import_against_a_contract_breaks_it(copy, module, line, contract):
    path = copy / module
    original = path.read_text(encoding="utf-8")
    path.write_text(original + f"\n{line}  # noqa\n", encoding="utf-8")
    try:
        done = lint_imports(copy)
    finally:
        path.write_text(original, encoding="utf-8")
    assert done.returncode != 0
    broken = [ln for ln in done.stdout.splitlines() if ln.endswith("BROKEN") or " BROKEN " in ln]
    assert any(contract in ln for ln in broken), done.stdout


def test_a_cycle_through_a_package_outside_the_layers_breaks_the_acyclic_contract(copy):
    """The acyclic contract guards what the layers do not list yet (a package just added)."""
    new = copy / "appliance" / "newpart"
    new.mkdir()
    (new / "__init__.py").write_text('"""A new package."""\nimport appliance.jobs  # noqa\n', encoding="utf-8")
    jobs = copy / "appliance" / "jobs.py"
    original = jobs.read_text(encoding="utf-8")
    jobs.write_text(original + "\nimport appliance.newpart  # noqa\n", encoding="utf-8")
    try:
        done = lint_imports(copy)
    finally:
        jobs.write_text(original, encoding="utf-8")
        shutil.rmtree(new)
    assert done.returncode != 0
    assert any("No import cycles between the packages" in ln and "BROKEN" in ln for ln in done.stdout.splitlines())
