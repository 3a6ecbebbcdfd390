"""Issue 20: a call's page names each PBX field (IP Office's targeting_cause, Cisco's hunt_pilot ...) in the user's
language and shows its value as a reader reads it (durations, times in the page's format, flags yes/no); a field
no driver emits any more is still shown, under its own name. Every field every driver emits has a name
(webui/extra_fields.py): the drivers run over all their fixtures, and their declared field lists are read."""
from __future__ import annotations

import itertools
import json
import re
from html import unescape

import bottle
import pytest

from appliance import store
from appliance.cli.main import main
from appliance.records import CallRecord, NotACallRecord
from conftest import FIXTURES
from drivers import asterisk_csv, avaya_ipoffice, cisco_cucm, freeswitch_csv, mitel_mivb, threecx
from drivers_helpers import decode, expected_path, fixture_pairs, frame, load_driver
from web_helpers import logged_in
from webui import extra_fields
from webui.app import make_app

RAW = FIXTURES / "avaya_ipoffice" / "constructed-30-35-fields-sip.raw"


def _emitted() -> dict[str, set[str]]:
    """driver -> every extra field its parser gives on its fixtures."""
    found: dict[str, set[str]] = {}
    for name, raw in fixture_pairs():
        driver = load_driver(name)
        parser = driver.make_parser(**json.loads(expected_path(raw).read_text(encoding="utf-8"))["options"])
        for line in frame(raw.read_bytes()):
            try:
                record = parser.parse(decode(line, driver.ENCODING))
            except NotACallRecord:
                continue
            if isinstance(record, CallRecord):
                found.setdefault(name, set()).update(record.extra)
    return found


def _declared() -> set[str]:
    """The extra fields the drivers name in their tables (whatever the fixtures hold): the configurable layouts
    (FreeSWITCH templates, 3CX's default fields, Asterisk's columns, every MiVB option combination) included."""
    mivb = {name for flags in itertools.product((False, True), repeat=4) for name, _a, _b in mitel_mivb.layout(*flags)
            if name not in ("width", "duration", "date", "time", "account")}
    return (set(avaya_ipoffice._CHARGE_NAMES) | set(avaya_ipoffice._LATE_NAMES) | set(cisco_cucm._EXTRA)
            | set(cisco_cucm._IPS) | {n for t in freeswitch_csv.TEMPLATES.values() for n in t}
            | set(threecx.FIELDS.split(",")) | set(asterisk_csv._COLUMNS) | set(asterisk_csv._NEW)
            | set(asterisk_csv._CUSTOM) | {"uniqueid", "userfield"} | mivb)


def test_every_field_a_driver_emits_has_a_name_and_a_way_to_read():
    emitted = _emitted()
    assert {"avaya_ipoffice", "cisco_cucm", "threecx", "nec_sl", "panasonic_kx"} <= set(emitted)
    missing = {f"{driver}: {key}" for driver, keys in emitted.items() for key in keys
               if key not in extra_fields.FIELDS}
    missing |= {key for key in _declared() if key not in extra_fields.FIELDS}
    assert not missing, f"extra fields without a label in webui/extra_fields.py: {sorted(missing)}"
    assert {"targeting_cause", "hunt_pilot", "hold_s"} <= set(extra_fields.FIELDS)
    assert all(kind in extra_fields.KINDS for _label, kind in extra_fields.FIELDS.values())
    assert all(k in extra_fields.FIELDS and v in extra_fields.KINDS for (_d, k), v in extra_fields.DRIVER_KINDS.items())


def test_values_read_as_a_reader_reads_them():
    bottle.request.bind({"callbox.lang": "en"})     # a request in English (another test's may be left bound)
    shown = {f.key: (f.label, f.value) for f in extra_fields.fields("avaya_ipoffice", {
        "hold_s": "75", "is_internal": "0", "record_time": "2017/08/02 10:17:19", "targeting_cause": "HG fnr",
        "park_s": "", "zz_older_field": "kept"})}
    assert shown == {"hold_s": ("Hold time", "0:01:15"), "is_internal": ("Internal call", "no"),
                     "record_time": ("Record written at", "2 Aug 2017, 10:17:19"),
                     "targeting_cause": ("Targeting cause", "hunt group, forwarded on no answer (HG fnr)"),
                     "zz_older_field": ("zz_older_field", "kept")}
    cdr = {"duration": "00:02:05", "from_type": "External", "reason_terminated": "TerminatedByDst"}
    three = {f.key: f.value for f in extra_fields.fields("threecx", cdr)}
    assert three == {"duration": "0:02:05", "from_type": "external", "reason_terminated": "the called party hung up"}
    assert extra_fields.value_text("text", "targeting_cause", "HG zz") == "HG zz"     # a code it does not know
    asterisk = {f.key: f.value for f in extra_fields.fields("asterisk_csv", {
        "duration": "125", "disposition": "NO ANSWER", "start": "2024-03-01 09:00:00", "answer": "2024-13-01 09:00"})}
    assert asterisk == {"duration": "0:02:05", "disposition": "not answered", "start": "1 Mar 2024, 09:00:00",
                        "answer": "2024-13-01 09:00"}      # not a date: as printed


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("pbxfields")
    (data / "callbox.ini").write_text("[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Warsaw\n", encoding="utf-8")
    try:
        main(["import", "--driver", "avaya_ipoffice", str(RAW), "--data", str(data)])
    finally:
        store.close_db()
    yield make_app(data)
    store.close_db()


def _fields_of(page: str) -> dict[str, str]:
    """key -> shown 'Label: value' of the page's PBX fields."""
    return {k: unescape(text) for k, text in re.findall(r'<span class="pbx-field" data-key="(\w+)">([^<]*)</span>',
                                                        page)}


def test_a_calls_page_names_the_pbx_fields_in_the_users_language(app, monkeypatch):
    client, _csrf = logged_in(app, "admin")
    listing = client.get("/calls", {"since": "2017-08-02", "until": "2017-08-03", "lang": "en"}).text
    call = re.search(r'href="/calls/(\d+)"', listing).group(1)
    en = _fields_of(client.get(f"/calls/{call}", {"lang": "en"}).text)
    assert en["hold_s"] == "Hold time: 0:00:12" and en["is_internal"] == "Internal call: no"
    assert en["record_time"] == "Record written at: 2 Aug 2017, 10:17:19"
    assert en["targeting_cause"] == "Targeting cause: user (U)" and en["park_s"] == "Park time: 0:00:00"
    assert "auth_code" not in en                # an empty field is left out
    tr = _fields_of(client.get(f"/calls/{call}", {"lang": "tr"}).text)
    assert tr["hold_s"] == "Bekletme süresi: 0:00:12" and tr["is_internal"] == "Dahili arama: hayır"
    assert tr["record_time"] == "Kaydın yazıldığı an: 2 Ağu 2017 10:17:19"
    assert tr["targeting_cause"] == "Hedefleme nedeni: kullanıcı (U)"
    monkeypatch.delitem(extra_fields.FIELDS, "hold_s")       # a field an older release's driver wrote
    assert _fields_of(client.get(f"/calls/{call}", {"lang": "tr"}).text)["hold_s"] == "hold_s: 12"
