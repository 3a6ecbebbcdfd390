"""Every `callbox` command accepts every option each driver documents in [pbx] (issue 22, finding 6)."""
from __future__ import annotations

import pytest

from appliance import registry, store
from appliance.cli import main as cli
from appliance.config import Config
from conftest import FIXTURES

# the commands that read [pbx], each with what it needs to run on an empty data directory
COMMANDS = (("calls",), ("calls", "--legs"), ("quarantine",), ("reprocess",), ("rerate",), ("report",),
            ("traffic", "missed"), ("traffic", "trunks"), ("traffic", "concurrency"), ("traffic", "busy-hour"),
            ("alert", "codes"), ("alert", "list"), ("alert", "status"), ("user", "list"), ("schedule", "list"),
            ("bill", "--extension", "201", "--period", "2024-01"), ("compare", "--period", "2024-01"),
            ("period", "list"), ("upload", "targets"), ("rollup", "status"), ("timerange", "list"), ("db", "check"))


def _ini(tmp_path, driver: str, **extra: str) -> str:
    options = registry.load(driver).OPTIONS
    lines = ["[pbx]", f"driver = {driver}", "timezone = Europe/Istanbul",
             *(f"{key} = {default}" for key, (default, _) in options.items()),
             "[numbers]", "country = CZ", *(f"{k} = {v}" for k, v in extra.items())]
    path = tmp_path / "callbox.ini"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _run(capsys, *argv: str) -> tuple[int, str]:
    try:
        rc = cli.main(list(argv))
    finally:
        store.close_db()
    out, err = capsys.readouterr()
    return rc, err


@pytest.mark.parametrize("driver", registry.names())
def test_every_command_accepts_the_drivers_documented_options(tmp_path, capsys, driver):
    config = _ini(tmp_path, driver)
    data = tmp_path / "data"
    fixture = next((FIXTURES / driver).glob("*.raw"))
    rc, err = _run(capsys, "import", "--data", str(data), "--config", config, "--driver", driver, str(fixture))
    assert rc == 0, err
    for command in COMMANDS:
        rc, err = _run(capsys, *command, "--data", str(data), "--config", config)
        assert "unknown option" not in err, (command, err)
        assert rc == 0, (command, err)


def _data(tmp_path, capsys) -> str:
    """A data directory with the panasonic_kx fixtures imported."""
    data = str(tmp_path / "data")
    rc, err = _run(capsys, "import", "--data", data, "--driver", "panasonic_kx",
                   str(FIXTURES / "panasonic_kx" / "pasted-kx-tda-2011.raw"))
    assert rc == 0, err
    return data


def test_an_option_no_driver_declares_still_stops_every_command(tmp_path, capsys):
    data = _data(tmp_path, capsys)
    config = tmp_path / "callbox.ini"
    config.write_text("[pbx]\ndriver = panasonic_kx\nmodel = kx-tda\nmodle = kx-tda\n", encoding="utf-8")
    for command in (("calls",), ("report",), ("reprocess",)):
        rc, err = _run(capsys, *command, "--data", data, "--config", str(config))
        assert rc == 2 and "[pbx] modle: unknown option" in err, (command, err)


def test_the_readme_example_works_with_calls_rerate_reprocess_and_report(tmp_path, capsys):
    data = _data(tmp_path, capsys)
    config = tmp_path / "callbox.ini"
    config.write_text("[pbx]\ndriver = panasonic_kx\nmodel = kx-tda\n[numbers]\ncountry = CZ\n", encoding="utf-8")
    for command in (("calls",), ("rerate",), ("reprocess",), ("report",)):
        rc, err = _run(capsys, *command, "--data", data, "--config", str(config))
        assert rc == 0, (command, err)


def test_import_with_another_driver_takes_that_drivers_options_from_set(tmp_path, capsys):
    raw = FIXTURES / "nec_sl" / "constructed-sv9100-no-date-overseas.raw"
    rc, err = _run(capsys, "import", "--data", str(tmp_path / "data"), "--driver", "nec_sl", "--json",
                   "--set", "pbx.format=1", "--set", "pbx.show_date=0", str(raw))
    assert rc == 0, err
    # the configured driver's options stay its own: another driver named on the command line gets its defaults
    cfg = Config(text="[pbx]\ndriver = asterisk_csv\nextension_pattern = 9\\d{3}\n")
    _, parser, _ = registry.driver_parser(cfg, "freeswitch_csv")
    assert parser.is_extension("101")   # the default, not asterisk_csv's 9\d{3}
    cfg = Config(text="[pbx]\ndriver = asterisk_csv\nformat = 1\n")
    _, parser, _ = registry.driver_parser(cfg, "nec_sl")
    assert parser.dmy


@pytest.mark.parametrize("driver", ["panasonic_kx", "generic"])
def test_the_web_ui_starts_and_serves_pages_with_driver_options_in_pbx(tmp_path, driver):
    import webtest   # the web UI's test client: only this test needs it
    from web_helpers import add_user, login
    from webui.app import make_app
    _ini(tmp_path, driver)   # <data>/callbox.ini, which the web UI loads
    try:
        client = webtest.TestApp(make_app(tmp_path))
        add_user("admin")
        login(client, "admin")
        for page in ("/", "/calls", "/reports"):
            assert client.get(page).status_int == 200, page
    finally:
        store.close_db()
