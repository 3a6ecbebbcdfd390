"""Cheap checks that catch drift: documented settings, shipped configs, module sizes, CLI documented."""
import ast
import re
import subprocess
import sys

import pytest

from appliance import config
from appliance.cli import main as cli
from appliance.config import Config, ConfigError, sample_ini
from conftest import REPO

ALLOWED_BIG: dict[str, str] = {}   # "path": "reason" for a module allowed over 400 lines


def test_the_shipped_sample_config_documents_every_setting_and_is_current():
    shipped = (REPO / "provisioning" / "callbox.ini").read_text(encoding="utf-8")
    regenerate = "python -c 'from appliance.config import sample_ini; print(sample_ini(), end=\"\")'"
    assert shipped == sample_ini(), f"regenerate: {regenerate}"
    for s in config.SETTINGS:
        assert f"# {s.key} = " in shipped and s.help in shipped and s.unit


@pytest.mark.parametrize("path", sorted((REPO / "provisioning").glob("*.ini")), ids=lambda p: p.name)
def test_every_shipped_config_loads(path):
    cfg = Config(path)
    for section in config.SECTIONS:
        cfg.section(section)
    assert not cfg.warnings


@pytest.mark.parametrize("text, message", [
    ("[capture]\nurl_typo = x\n", "[capture] url_typo: unknown option"),
    ("[journal]\nfsync_interval_ms = soon\n", "[journal] fsync_interval_ms: 'soon' is not a valid int"),
    ("[journal]\nfsync_interval_ms = 0\n", "[journal] fsync_interval_ms: 0 is below the minimum"),
    ("[log]\nlevel = LOUD\n", "[log] level: 'LOUD' is not one of"),
    ("[pbx\ndriver = x\n", "File contains no section headers"),
])
def test_config_errors_name_the_section_and_option(tmp_path, text, message):
    path = tmp_path / "bad.ini"
    path.write_text(text)
    with pytest.raises(ConfigError) as e:
        cfg = Config(path)
        for section in config.SECTIONS:
            cfg.section(section)
    assert message in str(e.value) and str(path) in str(e.value)


def test_unknown_keys_outside_the_capture_sections_only_warn():
    cfg = Config(text="[web]\ncolour = blue\n[colours]\nx = 1\n")
    cfg.section("web")
    assert any("[web] colour" in w for w in cfg.warnings) and any("[colours]" in w for w in cfg.warnings)


def test_a_bad_config_stops_a_process_with_one_line_naming_it(tmp_path):
    ini = tmp_path / "callbox.ini"
    ini.write_text("[capture]\nurl = file:///x\nbaud = 9600\n[pbx]\ndriver = avaya_ipoffice\n")
    r = subprocess.run([sys.executable, "-m", "appliance.procs", "capture", "--data", str(tmp_path)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "[capture] baud: unknown option" in r.stderr


def test_no_module_is_over_400_lines_without_a_reason():
    for path in list((REPO / "appliance").rglob("*.py")) + list((REPO / "drivers").glob("*.py")) + \
            list((REPO / "webui").rglob("*.py")):
        rel = str(path.relative_to(REPO))
        n = len(path.read_text(encoding="utf-8").splitlines())
        assert n <= 400 or rel in ALLOWED_BIG, f"{rel} has {n} lines: split it by what it holds"


@pytest.mark.parametrize("path", sorted((REPO / "drivers").glob("*.py")), ids=lambda p: p.name)
def test_drivers_import_only_records_their_common_helpers_and_the_standard_library(path):
    """STYLE §2.3: a driver never touches the port, the DB or the config, so it imports nothing else."""
    allowed = {"appliance.records", "drivers._common", "__future__"}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [("." * node.level) + (node.module or "")]
        else:
            continue
        for module in modules:
            assert module in allowed or module.split(".")[0] in sys.stdlib_module_names, \
                f"drivers/{path.name} imports {module}"


def _late_imports(path) -> list[int]:
    """Lines of imports made inside a function with no comment on them, on the line above, or on another import of
    the same run of imports (a run of late imports shares one reason)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    late = {node.lineno for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
            for node in ast.walk(fn) if isinstance(node, (ast.Import, ast.ImportFrom))}
    bad = []
    for n in sorted(late):
        run = [n]
        while run[0] - 1 in late:
            run.insert(0, run[0] - 1)
        while run[-1] + 1 in late:
            run.append(run[-1] + 1)
        said = any("#" in lines[i - 1] for i in run) or lines[run[0] - 2].strip().startswith("#")
        if not said:
            bad.append(n)
    return bad


def test_imports_are_at_module_top_unless_a_comment_says_why():
    """Hidden imports hide cycles and start-up costs: a late import says why it is late (issue 12)."""
    for path in list((REPO / "appliance").rglob("*.py")) + list((REPO / "webui").rglob("*.py")) + \
            list((REPO / "drivers").glob("*.py")):
        assert not _late_imports(path), f"{path.relative_to(REPO)}: lines {_late_imports(path)} import late: why?"


def test_every_cli_command_is_documented_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in cli.build_parser()._actions if a.dest == "command")
    for name, parser in sub.choices.items():
        assert f"`callbox {name}" in readme, f"README does not document `callbox {name}`"
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag not in ("--help", "--data", "--config", "--set"):
                    assert flag in readme, f"README does not mention {flag} of `callbox {name}`"


def test_every_module_opens_with_a_docstring():
    for path in list((REPO / "appliance").rglob("*.py")) + list((REPO / "drivers").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.strip():
            assert re.match(r'\s*"""', text), f"{path.relative_to(REPO)} has no module docstring"


def test_system_packages_are_listed_once_as_data():
    pkgs = [line.strip() for line in (REPO / "provisioning" / "system-deps.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    assert len(pkgs) == len(set(pkgs)) and all(re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", p) for p in pkgs)


@pytest.mark.parametrize("tool", [["flake8", "appliance", "drivers", "webui", "tests"], ["mypy"]],
                         ids=["flake8", "mypy"])
def test_the_tree_passes_the_linters(tool):
    """`make lint` as part of every test run: flake8 (setup.cfg [flake8]) and mypy (setup.cfg [mypy])."""
    done = subprocess.run([sys.executable, "-m", *tool], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
