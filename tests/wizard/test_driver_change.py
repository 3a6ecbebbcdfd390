"""A change of PBX driver in the PBX wizard (issue 19): the web says what happens to the lines read so far and, once
confirmed, asks the worker to parse them again with the new driver (appliance.ingest.driver_change, through
`callbox reprocess`'s machinery). On real samples: a box read Panasonic and Avaya lines with the Panasonic driver
(the Avaya lines quarantined); the Avaya driver chosen on the web and the real worker process started with it, the
box's calls, legs and quarantine are those of a clean import of the same lines with the Avaya driver: the calls the
Panasonic driver made are replaced, not kept beside them."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from appliance import config, store
from appliance.wizard import choice
from browser_helpers import callbox
from conftest import FIXTURES, REPO
from web_helpers import logged_in
from webui.app import make_app

# the real samples (the same bytes as ../shared/samples' panasonic_kx_tda_smdr.txt and avaya_ipoffice_smdr_2017-07.log)
PANASONIC = FIXTURES / "panasonic_kx" / "pasted-kx-tda-2011.raw"
AVAYA = FIXTURES / "avaya_ipoffice" / "emceha-ipo500-2017-07.raw"
INI = "[pbx]\ndriver = {driver}\ntimezone = Europe/Istanbul\n"


def box(tmp_path: Path, name: str, driver: str) -> Path:
    """A box that read both samples (in this order, into its journal) with `driver`."""
    data = tmp_path / name
    data.mkdir()
    (data / "callbox.ini").write_text(INI.format(driver=driver), encoding="utf-8")
    callbox(data, "import", "--driver", driver, str(PANASONIC), str(AVAYA))
    return data


def answers(data: Path) -> dict[str, list]:
    """The calls, their legs and the quarantined lines (without when the line was received: the two boxes journaled
    the same lines at other times)."""
    out = {what: [json.loads(line) for line in callbox(data, *args, "--json").splitlines()]
           for what, args in (("calls", ("calls",)), ("legs", ("calls", "--legs")), ("quarantine", ("quarantine",)))}
    for row in out["quarantine"]:
        row.pop("received")
    return out


def run_worker(data: Path, until) -> None:
    """The worker process as the box runs it, until until() (a hang fails the test), then SIGTERM."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from appliance.procs import worker_main; "
                             "sys.exit(worker_main(sys.argv[1:]))", "--data", str(data)],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not until():
            assert proc.poll() is None, proc.communicate()[1].decode()
            assert time.monotonic() < deadline, "the worker did not do it"
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, proc.communicate()[1].decode()


def change(data: Path, driver: str, **form: str) -> str:
    """The wizard's confirmation page for `driver`, then the change confirmed with `form`; the confirmation's text."""
    try:
        client, csrf = logged_in(make_app(data), "admin")
        asked = client.post("/setup/pbx/driver", {"driver": driver, "timezone": "", "csrf_token": csrf}).text
        assert config.Config(data / "callbox.ini").raw_section("pbx")["driver"] != driver   # nothing changed yet
        client.post("/setup/pbx/driver", {"driver": driver, "timezone": "", "confirm": "1", "csrf_token": csrf,
                                          **form}, status=303)
        assert config.Config(data / "callbox.ini").raw_section("pbx")["driver"] == driver
        if form.get("reprocess") in ("all", "since"):
            pending = client.get("/setup/pbx", {"chosen": driver}).text
            assert 'id="reprocess-pending"' in pending
        return asked
    finally:
        store.close_db()


def test_a_new_driver_parses_the_lines_again_as_a_clean_import_would(tmp_path):
    clean = answers(box(tmp_path, "clean", "avaya_ipoffice"))
    data = box(tmp_path, "box", "panasonic_kx")
    before = answers(data)
    assert [c["driver"] for c in before["calls"]] == ["panasonic_kx"] and len(before["quarantine"]) > 1000
    assert len(clean["calls"]) > 100 and all(c["driver"] == "avaya_ipoffice" for c in clean["calls"])

    asked = change(data, "avaya_ipoffice", reprocess="all")
    assert 'id="driver-change"' in asked and "from panasonic_kx to avaya_ipoffice" in asked
    lines = sum(len(f.read_bytes().splitlines()) for f in (PANASONIC, AVAYA))
    # issue 20 (plural forms): the count as the locale writes it, the calls' beside a colon ("1 calls stored" before)
    assert f"This box has read {lines:,} lines from the PBX with panasonic_kx (calls stored: 1)" in asked
    assert choice.pending_reprocess(data)["driver"] == "avaya_ipoffice"
    run_worker(data, lambda: choice.pending_reprocess(data) is None)
    done = choice.last_reprocess(data)
    assert done["lines"] == lines and done["calls_before"] == 1 and done["calls_after"] == len(clean["calls"])
    assert answers(data) == clean                      # replaced, not beside them: no Panasonic call is left
    try:
        client, _csrf = logged_in(make_app(data), "admin")
        shown = client.get("/setup/pbx", {"chosen": "avaya_ipoffice"}).text
        assert f"{lines:,} lines parsed again with avaya_ipoffice, replacing what panasonic_kx had made of" in shown
    finally:
        store.close_db()

    # back to Panasonic, only the lines received since tomorrow: none; the calls stay the Avaya driver's
    tomorrow = time.strftime("%Y-%m-%d", time.localtime(time.time() + 2 * 86400))
    change(data, "panasonic_kx", reprocess="since", since=tomorrow)
    run_worker(data, lambda: choice.pending_reprocess(data) is None)
    assert choice.last_reprocess(data)["lines"] == 0 and answers(data) == clean
    # and once more to Avaya, keeping what is there: no request, nothing parsed again
    change(data, "avaya_ipoffice", reprocess="none")
    assert choice.pending_reprocess(data) is None and answers(data) == clean


def test_a_first_choice_asks_nothing_and_a_bad_date_changes_nothing(tmp_path):
    data = tmp_path / "new"
    data.mkdir()
    try:
        client, csrf = logged_in(make_app(data), "admin")
        client.post("/setup/pbx/driver", {"driver": "avaya_ipoffice", "csrf_token": csrf}, status=303)
        assert choice.pending_reprocess(data) is None
        asked = client.post("/setup/pbx/driver", {"driver": "threecx", "csrf_token": csrf}).text
        assert 'id="driver-change"' in asked
        bad = client.post("/setup/pbx/driver", {"driver": "threecx", "confirm": "1", "reprocess": "since",
                                                "since": "yesterday", "csrf_token": csrf}, status=400).text
        assert "yesterday&#039; is not a date (YYYY-MM-DD)" in bad and 'id="driver-change"' in bad
    finally:
        store.close_db()
    assert choice.pending_reprocess(data) is None
    assert config.Config(data / "callbox.ini").raw_section("pbx")["driver"] == "avaya_ipoffice"
