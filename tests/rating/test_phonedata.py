"""Issue 14: place and operator names from an SQLite copy of phonenumbers' data give what the library's own geocoder
and carrier modules give, without their ~110 MB in every process that names a number."""
from __future__ import annotations

import json
import subprocess
import sys

import phonenumbers as pn
import pytest
from phonenumbers import PhoneNumberType as T
from phonenumbers import carrier as lib_carrier
from phonenumbers import geocoder as lib_geocoder

from appliance.rating import phonedata
from conftest import REPO

LANGUAGES = ("en", "tr", "de", "zh", "ko")    # zh and ko: no fall-back to English


@pytest.fixture(scope="module")
def ours(tmp_path_factory):
    source = phonedata._Source(phonedata.build(tmp_path_factory.mktemp("pd") / "phonedata.sqlite"))
    return phonedata._geocoder(source), phonedata._carrier(source)


def numbers() -> list[pn.PhoneNumber]:
    """The library's example numbers of every region and kind, plus Argentina's mobile token and numbers shared by
    several regions of one country code (NANP, +7, +44's islands)."""
    found = []
    for region in sorted(pn.SUPPORTED_REGIONS):
        for kind in (T.FIXED_LINE, T.MOBILE, T.TOLL_FREE, T.VOIP, T.FIXED_LINE_OR_MOBILE):
            n = pn.example_number_for_type(region, kind)
            if n is not None:
                found.append(n)
    for text in ("+5491123456789", "+542214567890", "+12125551234", "+16045551234", "+78121234567", "+77011234567",
                 "+441534123456", "+905321234567", "+903122123456", "+420601123456", "+4722123456", "+359888123456",
                 "+994501234567", "+48123456789", "+8613912345678", "+81312345678"):
        found.append(pn.parse(text))
    return found


def test_every_answer_is_the_librarys(ours):
    geocoder, carrier = ours
    checked = 0
    for n in numbers():
        for lang in LANGUAGES:
            assert geocoder.country_name_for_number(n, lang) == lib_geocoder.country_name_for_number(n, lang), n
            assert geocoder.description_for_number(n, lang) == lib_geocoder.description_for_number(n, lang), n
            assert carrier.name_for_number(n, lang) == lib_carrier.name_for_number(n, lang), n
            if pn.is_valid_number(n):
                assert (geocoder.description_for_valid_number(n, lang)
                        == lib_geocoder.description_for_valid_number(n, lang)), (n, lang)
                assert carrier.name_for_valid_number(n, lang) == lib_carrier.name_for_valid_number(n, lang), n
            checked += 1
    assert checked > 1000
    assert geocoder.description_for_valid_number(pn.parse("+903122123456"), "tr") == "Ankara"


def test_the_worker_classifies_numbers_without_loading_the_librarys_data():
    """A process that rates calls (the worker) names places and operators from the file: phonenumbers' geodata and
    carrierdata modules are never imported, and the process stays small."""
    code = """
import json, sys
from appliance.rating import numbering
plan = numbering.NumberingPlan(country="TR", area_codes=("212",), language="tr")
c = numbering.classify("+903122123456", plan)
m = numbering.classify("+905321234567", plan)
print(json.dumps({"place": c.region, "operator": m.operator, "modules": sorted(k for k in sys.modules
      if k.startswith(("phonenumbers.geodata", "phonenumbers.carrierdata"))),
      "rss_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024}))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    got = json.loads(out)
    assert got["place"] == "Ankara" and got["operator"] and got["modules"] == []
    assert got["rss_mb"] < 60, got      # peak; ~130 MB with the library's own data


def test_without_a_usable_file_the_librarys_own_data_answers(tmp_path, monkeypatch, caplog):
    bad = tmp_path / "phonedata.sqlite"
    bad.write_bytes(b"not a database")
    monkeypatch.setattr(phonedata, "FILE", bad)
    monkeypatch.setattr(phonedata, "_loaded", None)
    geocoder, carrier = phonedata.modules()
    assert geocoder is lib_geocoder and carrier is lib_carrier
    assert "using phonenumbers' own data" in caplog.text
    monkeypatch.setattr(phonedata, "FILE", tmp_path / "new" / "phonedata.sqlite")     # missing: made
    monkeypatch.setattr(phonedata, "_loaded", None)
    geocoder, _ = phonedata.modules()
    assert geocoder is not lib_geocoder and (tmp_path / "new" / "phonedata.sqlite").exists()
