"""The PBX wizard on every real capture: journaled as a box with no driver chosen journals them, ranked by the
wizard, the proposed driver written to the INI as the wizard writes it, and the worker's processing of the journal
with that INI stores the calls (issue 19: "the wizard proposes the right driver for every real sample and writes a
working configuration"). The constructed fixtures (built to a documented layout) are ranked too."""
from __future__ import annotations

from pathlib import Path

import pytest

from appliance import config, store
from appliance.capture.framing import split_lines
from appliance.ingest.worker import build_processor, process_all
from appliance.journal import JournalWriter
from appliance.paths import Paths
from appliance.wizard import choice, links, preview
from conftest import FIXTURES

SHARED = Path("/work/shared/samples")
# the shared samples' file names -> the driver that reads them (their README)
SHARED_DRIVERS = {"3cx_": "threecx", "asterisk_master_csv": "asterisk_csv", "asterisk_queue_log": "asterisk_queue_log",
                  "avaya_ipoffice": "avaya_ipoffice", "cisco_cucm": "cisco_cucm", "freeswitch_": "freeswitch_csv",
                  "mitel_5000": "mitel_5000", "panasonic_kx": "panasonic_kx"}
URL = "tcp-listen://127.0.0.1:1150"


def _captures() -> list:
    found = [pytest.param(p, p.parent.name, id=f"{p.parent.name}/{p.name}")
             for p in sorted(FIXTURES.glob("*/*.raw")) if p.parent.name != "generic"]   # generic: described, not found
    if SHARED.is_dir():
        for p in sorted(SHARED.iterdir()):
            driver = next((d for prefix, d in SHARED_DRIVERS.items() if p.name.startswith(prefix)), None)
            if driver:
                found.append(pytest.param(p, driver, id=f"shared/{p.name}"))
    return found


def journal_as_capture(data: Path, raw: bytes, source: str = "tcp:10.0.0.5:51234") -> None:
    """What capture journals from a link with no driver chosen: lines framing, each line with its terminator."""
    lines, _rest = split_lines(raw, final=True)
    with JournalWriter(data / "journal") as w:
        w.append_many([(line, 0) for line, _partial in lines], source)


@pytest.mark.parametrize(("capture", "expected"), _captures())
def test_the_wizard_proposes_the_driver_and_its_configuration_stores_the_calls(tmp_path, capture, expected):
    ini = tmp_path / "callbox.ini"
    choice.choose_link(ini, URL)
    journal_as_capture(tmp_path, capture.read_bytes())
    cfg = config.Config(ini)
    look = preview.look(cfg, tmp_path / "journal", links.sources(URL))
    assert look["ranking"], f"no driver recognises {capture.name}"
    assert look["ranking"][0]["driver"] == expected, look["ranking"]
    assert look["driver"] == expected
    assert look["records"]
    if capture.name.startswith("constructed-"):   # built to a layout, some with the PBX's options set: ranked only
        return
    read = [r for r in look["records"] if "direction" in r]
    choice.choose_driver(ini, look["driver"])
    written = config.Config(ini)
    assert written.raw_section("pbx")["driver"] == expected
    assert written.raw_section("capture")["url"] == URL
    store.open_db(tmp_path / "callbox.db")
    try:
        process_all(Paths(tmp_path), build_processor(written))
        stored = store.Call.select().count() + store.QueueEvent.select().count()
        if read:
            assert stored >= 1
        else:      # a capture with no call record in it (Cisco's CMR: call quality, not a call): nothing wrong with it
            assert all(r.get("ignored") for r in look["records"]) and store.Quarantine.select().count() == 0
        assert store.Cursor.select().count() == 1   # the whole journal was read
    finally:
        store.close_db()


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared samples are not on this machine")
def test_every_shared_sample_is_in_the_test_above():
    """A sample added to the shared folder without a driver named here would be left out silently."""
    left_out = [p.name for p in sorted(SHARED.iterdir())
                if p.is_file() and p.name != "README.md" and not any(p.name.startswith(k) for k in SHARED_DRIVERS)]
    assert left_out == []
