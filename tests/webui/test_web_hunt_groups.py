"""Issue 20: a call to a hunt group is shown as such ("Sales (hunt group 8007)", as the reports name it), not as a
call to an extension: on /calls and a call's page by [directory] hunt_groups, and on a call's page by what IP Office
says (Targeting Cause HG, the group's name). IP Office records imported through the pipeline; in-process (webtest)."""
from __future__ import annotations

import re

import pytest

from appliance import store
from appliance.cli.main import main
from conftest import FIXTURES
from web_helpers import logged_in
from webui.app import make_app

RAW = FIXTURES / "avaya_ipoffice" / "constructed-30-35-fields-sip.raw"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("hunt")
    (data / "callbox.ini").write_text("[pbx]\ndriver = avaya_ipoffice\ntimezone = Europe/Warsaw\n[directory]\n"
                                      "hunt_groups =\n    8007 = Satış\n", encoding="utf-8")
    try:
        main(["import", "--driver", "avaya_ipoffice", str(RAW), "--data", str(data)])
    finally:
        store.close_db()
    yield make_app(data)
    store.close_db()


def test_a_call_to_a_named_hunt_group_number_is_shown_as_the_group(app):
    client, _csrf = logged_in(app, "admin")
    page = client.get("/calls", {"since": "2014-06-01", "until": "2014-07-01", "lang": "en"}).text
    assert "<span class=\"hunt-group\">Satış (hunt group 8007)</span>" in page
    tr = client.get("/calls", {"since": "2014-06-01", "until": "2014-07-01", "lang": "tr"}).text
    assert "Satış (arama grubu 8007)" in tr
    call = re.search(r'href="/calls/(\d+)"', page).group(1)
    assert "Satış (hunt group 8007)" in client.get(f"/calls/{call}", {"lang": "en"}).text


def test_a_call_ip_office_routed_through_a_hunt_group_says_so_on_its_page(app):
    client, _csrf = logged_in(app, "admin")
    page = client.get("/calls", {"since": "2017-08-04", "until": "2017-08-05", "direction": "in", "lang": "en"}).text
    ids = re.findall(r'href="/calls/(\d+)"', page)
    pages = [client.get(f"/calls/{i}").text for i in ids]
    hunted = [p for p in pages if "<dt>Hunt group</dt>" in p]
    assert len(hunted) == 1 and "hunt group &#039;Main&#039;</span>" in hunted[0]
