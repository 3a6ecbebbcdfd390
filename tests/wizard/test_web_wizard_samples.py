"""The PBX wizard's own routes on every real capture (issue 19: "the wizard proposes the right driver for every real
sample and writes a working configuration"): a new box's administrator chooses the link on /setup/pbx, the capture is
journaled as capture journals a link with no driver chosen, the page's live view (/api/setup/pbx/lines, what the
browser shows) ranks the right driver first and proposes it, confirming it writes [pbx] driver, and the worker's
processing of the journal with that configuration stores the calls and leaves nothing in quarantine.
test_wizard_samples.py holds the same over the wizard's functions, and the constructed fixtures."""
from __future__ import annotations

import pytest

from appliance import config, store
from appliance.ingest.worker import build_processor, process_all
from appliance.paths import Paths
from test_wizard_samples import _captures, journal_as_capture

REAL = [p for p in _captures() if not p.values[0].name.startswith("constructed-")]


@pytest.mark.parametrize(("capture", "expected"), REAL)
def test_the_page_proposes_the_driver_and_its_choice_stores_the_calls(client, csrf, data_dir, capture, expected):
    client.post("/setup/pbx/link", {"kind": "tcp-listen", "listen_port": "1150", "address": "0.0.0.0",
                                    "csrf_token": csrf}, status=303)
    journal_as_capture(data_dir, capture.read_bytes(), "tcp:192.0.2.20:40000")
    look = client.get("/api/setup/pbx/lines").json
    assert look["count"] > 0 and look["ranking"], f"no driver recognises {capture.name}"
    assert look["ranking"][0]["driver"] == expected, look["ranking"]
    assert look["driver"] == expected and look["records"]
    page = client.post("/setup/pbx/driver", {"driver": look["driver"], "csrf_token": csrf}, status=303)
    assert page.location.endswith(f"/setup/pbx?chosen={expected}#done")
    written = config.Config(data_dir / "callbox.ini")
    assert written.raw_section("pbx")["driver"] == expected
    assert written.raw_section("capture")["url"] == "tcp-listen://0.0.0.0:1150"
    store.close_db()                     # the web's; the worker opens its own
    store.open_db(data_dir / "callbox.db")
    try:
        process_all(Paths(data_dir), build_processor(written))
        read = [r for r in look["records"] if "direction" in r]
        stored = store.Call.select().count() + store.QueueEvent.select().count()
        assert stored >= 1 if read else all(r.get("ignored") for r in look["records"])
        assert store.Quarantine.select().count() == 0, capture.name
    finally:
        store.close_db()
