"""The call-centre queue summary page (issue 15) in-process: the KPIs of the documented journeys and the real FreePBX
log as `callbox queue kpis` gives them, its data-quality line, who may open it, and Turkish."""
from __future__ import annotations

import json

import pytest

from appliance import store
from appliance.cli.main import main
from appliance.paths import Paths
from cc_helpers import feed
from conftest import FIXTURES
from test_journeys import DOCUMENTED, T
from web_helpers import logged_in
from webui.app import make_app

ALL = {"range": "all"}


@pytest.fixture
def app(tmp_path, capsys):
    (tmp_path / "callbox.ini").write_text("[pbx]\ndriver = asterisk_queue_log\n", encoding="utf-8")
    freepbx = (FIXTURES / "asterisk_queue_log" / "axelliek-freepbx-queue9000-2010.raw").read_text().splitlines()
    feed(Paths(tmp_path), freepbx + DOCUMENTED + [f"{T - 5}|{T - 9}.98|sales|NONE|ABANDON|1|1|4"])
    store.close_db()
    assert main(["queue", "kpis", "--data", str(tmp_path), "--json"]) == 0
    store.close_db()
    application = make_app(tmp_path)
    application.config["test.kpis"] = json.loads(capsys.readouterr().out)["queues"]
    yield application
    store.close_db()


def cells(html: str, queue: str) -> list[str]:
    row = html.split(f"<tr><td>{queue}</td>", 1)[1].split("</tr>", 1)[0]
    return [c.split(">", 1)[1].split("</td>", 1)[0] for c in row.split("<td")[1:]]


def test_the_queue_summary_shows_the_kpis_of_the_cli(app):
    client, _ = logged_in(app, "admin")
    html = client.get("/callcentre", ALL).text
    assert 'href="/callcentre" aria-current="page"' in html
    by_queue = {q["queue"]: q for q in app.config["test.kpis"]}
    # sales: 10 offered, 6 answered, 2 abandoned, 1 timeout, 0, 1 exit key, 1 short, 0 unterminated, ASA 7 s,
    # service level 66.67 %, lost 33.33 %, talk 707 s, AHT 117.83 s, 1 over 5 min, longest wait 60 s
    assert by_queue["sales"]["offered"] == 10
    assert cells(html, "sales") == ["10", "6", "2", "1", "0", "1", "1", "0", "0:00:07", "66.7 %", "33.3 %",
                                    "0:11:47", "0:01:58", "1", "0:01:00", "0"]
    assert cells(html, "9000")[:3] == [str(by_queue["9000"][k]) for k in ("offered", "answered", "abandoned")]
    assert "sales: entry never logged 1" in html   # the ABANDON whose ENTERQUEUE was never seen


def test_a_range_without_queue_calls_says_so(app):
    client, _ = logged_in(app, "admin")
    assert "No queue calls in this range." in client.get("/callcentre", {"range": "today"}).text
    assert client.get("/callcentre", {"range": "custom", "since": "nonsense"}, status=400)


ROLES = [("supervisor", "tenant", 200), ("supervisor", "department", 403), ("operator", "tenant", 403),
         ("staff", "own", 403)]


@pytest.mark.parametrize("role, scope, status", ROLES)
def test_only_administrators_and_supervisors_who_see_the_whole_box(app, role, scope, status):
    client, _ = logged_in(app, f"{role}_{scope}", role, scope, person="P1" if scope in ("department", "own") else "")
    resp = client.get("/callcentre", ALL, status=status)
    assert ("sales" in resp.text) == (status == 200)
    assert ('href="/callcentre"' in client.get("/").text) == (role == "supervisor")


def test_the_page_in_turkish(app):
    client, _ = logged_in(app, "admin")
    html = client.get("/callcentre", {**ALL, "lang": "tr"}).text
    assert '<html lang="tr">' in html and "Çağrı merkezi" in html and "Hizmet düzeyi" in html
    assert "66,7 %" in cells(html, "sales")


@pytest.fixture
def units_app(tmp_path):
    """The documented journeys on a box whose queues belong to departments: sales to Satış, support to Destek."""
    (tmp_path / "callbox.ini").write_text("[pbx]\ndriver = asterisk_queue_log\n[callcentre]\nqueue_units =\n"
                                          "  sales = department Satış\n  support = department Destek\n",
                                          encoding="utf-8")
    feed(Paths(tmp_path), DOCUMENTED)
    from appliance.directory import organisation
    from appliance.store import directory as sd
    tid = sd.tenant_id("default", create=True)
    for pid, dept in (("P1", "Satış"), ("P2", "Destek"), ("P3", "Muhasebe")):
        person = organisation.add_person(tid, pid, pid, "Test")
        organisation.move_person(tid, person, None, department_id=sd.create_named(tid, "department", dept))
        if pid == "P1":
            organisation.assign_extension(tid, person, "201", None)      # P1 answers as PJSIP/201
    store.close_db()
    yield make_app(tmp_path)
    store.close_db()


@pytest.mark.parametrize("person, queues", [("P1", ["sales"]), ("P2", ["support"]), ("P3", [])])
def test_a_department_supervisor_sees_the_queues_of_their_department(units_app, person, queues):
    client, _ = logged_in(units_app, f"sup_{person}", "supervisor", "department", person=person)
    resp = client.get("/callcentre", ALL, status=200 if queues else 403)
    shown = [q for q in ("sales", "support", "billing") if f"<tr><td>{q}</td>" in resp.text]
    assert shown == queues
    board = client.get("/wallboard", status=200 if queues else 403)
    assert (f"Wallboard: {', '.join(queues)}" in board.text) if queues else "queue_units" in board.text
    client.get("/wallboard", {"queue": "support" if person == "P1" else "sales"}, status=403)   # not theirs
    admin, _ = logged_in(units_app, "admin")
    assert "<tr><td>sales</td>" in admin.get("/callcentre", ALL).text    # who sees the whole box: every queue


def test_queue_units_lines_are_checked():
    from appliance.callcentre.scope import parse_queue_units
    from appliance.config import ConfigError
    assert parse_queue_units("sales = department Satış\n# x\nvip = branch İzmir Merkez").units == (
        ("sales", ("department", "Satış")), ("vip", ("branch", "İzmir Merkez")))
    for bad in ("sales = team A", "sales = department", "sales department A", "a = branch X\na = branch Y"):
        with pytest.raises(ConfigError, match="queue_units"):
            parse_queue_units(bad)


def test_an_agent_sees_their_own_figures_and_calls(units_app):
    client, _ = logged_in(units_app, "ayse", "staff", "own", person="P1")
    html = client.get("/callcentre/agent", ALL).text
    figures = html.split('id="agent-figures"', 1)[1].split("</table>", 1)[0]
    assert "PJSIP/201" in figures and "PJSIP/202" not in figures        # only the member of their extension
    answered = int(cells(figures, "PJSIP/201")[0])
    calls = html.split('id="agent-calls"', 1)[1].split("</table>", 1)[0]
    assert answered == 2 and calls.count("<tr>") - 1 == answered          # one row per call answered
    other, _ = logged_in(units_app, "mehmet", "staff", "own", person="P2")
    assert "No extension of yours" in other.get("/callcentre/agent", ALL).text


def test_a_calls_page_shows_its_way_through_the_queues(tmp_path):
    """Issue 15: the CDR's call (its uniqueid/linkedid) with the queue journey queue_log gives of it. The CDR row is
    written as the Asterisk CDR driver stores it (one box, one driver here)."""
    (tmp_path / "callbox.ini").write_text("[pbx]\ndriver = asterisk_queue_log\n", encoding="utf-8")
    feed(Paths(tmp_path), DOCUMENTED)       # call M: times out of sales after 60 s, answered in support by 301
    from appliance.store.calls import Call
    Call.create(id=1, driver="asterisk_csv", call_key=f"{T + 130}.13", start_utc=T + 130, utc_offset=0,
                direction="in", extension="301", party="0600000013", trunk="t", ring_s=70, talk_s=60, answered=True,
                transferred=False, account_code="", legs=1)
    store.close_db()
    application = make_app(tmp_path)
    try:
        client, _ = logged_in(application, "admin")
        html = client.get("/calls/1").text
    finally:
        store.close_db()
    table = html.split('id="queue-journey"', 1)[1].split("</table>", 1)[0]
    rows = [r for r in table.split("<tr>")[2:]]
    assert len(rows) == 2
    assert "<td>sales</td>" in rows[0] and "timed out" in rows[0] and "0:01:00" in rows[0]
    assert "<td>support</td>" in rows[1] and "PJSIP/301" in rows[1] and "COMPLETECALLER" in rows[1]
