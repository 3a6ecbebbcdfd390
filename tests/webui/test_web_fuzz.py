"""Issue 13 #10: no request makes the web answer 500. Hypothesis sends every GET route (path parts and query
parameters) and every POST form (with the session's valid CSRF token) odd values, as an administrator of the
whole box and as staff, in-process (webtest) over a database with calls, people and a saved report.

The parameter names are every name the templates' forms and the handlers read, plus a few made up."""
from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import webtest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance import config, store
from appliance.directory import organisation as directory
from appliance.store import directory as sd
from appliance.store.users import Throttle
from web_helpers import add_user, login
from webui.app import make_app

pytestmark = pytest.mark.slow
WEBUI = Path(__file__).resolve().parents[2] / "webui"
CFG = "[pbx]\ntimezone = Europe/Istanbul\n"
NEVER = {("POST", "/logout")}            # would end the session the run needs (it is a 303 either way)

ODD = ["", "0", "-1", "1", "2", "00", "99999999999999999999999", "9223372036854775808", "²", "١٢", "1e999",
       "nan", "inf", "-0", "0x10", "1,5", "12.345", " 7 ", "9999-12-31", "0001-01-01", "2017-07-01",
       "2017-07-01T08:00:00+02:00", "2017-02-30", "24:00", "2017-07", "9999-99", "custom", "this_month",
       "last_month", "today", "all", "own", "tenant", "administrator", "staff", "default", "globex", "yes", "no",
       "in", "out", "internal", "prefix", "contains", "extension", "person", "department", "branch", "trunk",
       "calls", "cost", "talk_s", "day", "hour", "month", "business_hours", "<unknown>", "<script>x</script>",
       "../../etc/passwd", "%", "%00", "\x00", "\r\nX: y", "\t", "a" * 300, "İı", "Ё", "😀", "*", "'", '"',
       "P1", "201", "05551112233", "csv", "pdf", "en", "tr", "daily", "weekly 1 08:00", "0 8 * * *"]
VALUES = st.one_of(st.sampled_from(ODD), st.text(max_size=24),
                   st.integers(min_value=-10 ** 25, max_value=10 ** 25).map(str),
                   st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?)?\Z"))


def _names() -> list[str]:
    """Every form field name in the templates and every parameter name a handler reads."""
    names = set()
    for tpl in (WEBUI / "templates").glob("*.tpl"):
        names |= set(re.findall(r'name="([a-z_0-9]+)"', tpl.read_text(encoding="utf-8")))
    for py in WEBUI.rglob("*.py"):
        text = py.read_text(encoding="utf-8")
        names |= set(re.findall(r'(?:form|forms|query)(?:\.decode\(\))?\.(?:get|getall|getunicode)\("([a-z_0-9]+)"',
                                text))
        names |= set(re.findall(r'form\["([a-z_0-9]+)"\]', text))
    return sorted(names - {"csrf_token", "viewport"}) + ["x", "page", "chart", "saved", "lang", "done", "msg"]


NAMES = _names()


def _seed(data: Path) -> None:
    store.open_db(data / "callbox.db")
    tid = sd.tenant_id("default", create=True)
    sd.tenant_id("globex", create=True)
    ayse = directory.add_person(tid, "P1", "Ayşe", "Yılmaz")
    directory.assign_extension(tid, ayse, "201", None)
    now = int(time.time())
    for i in range(6):
        call = store.Call.create(driver="test", call_key=str(i), start_utc=now - 3600 * i, utc_offset=10800,
                                 direction=("out", "in", "internal")[i % 3], extension=("201", "202")[i % 2],
                                 party="05551112233", trunk="T1", ring_s=3, talk_s=60 * i, answered=i % 2 == 0,
                                 transferred=False, account_code="", legs=1, cost="1.25", currency="TRY")
        store.Leg.create(call_id=call.id, driver="test", call_key=str(i), start_utc=call.start_utc,
                         utc_offset=10800, direction=call.direction, extension=call.extension, party=call.party,
                         trunk="T1", ring_s=3, talk_s=call.talk_s, answered=call.answered, transferred=False,
                         account_code="", jseg=1, joff=i, extra="{}")
    store.close_db()


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    """(application, {role: (client, csrf)}) over a seeded data directory."""
    data = tmp_path_factory.mktemp("fuzz")
    _seed(data)
    app = make_app(data, config.Config(text=CFG))
    add_user("admin")
    add_user("ayse", "staff", "own", person="P1")
    out = {}
    for name in ("admin", "ayse"):
        client = webtest.TestApp(app)
        out[name] = (client, login(client, name))
    admin, csrf = out["admin"]                    # a saved report to open, run and delete
    admin.post("/reports/saved", {"name": "r", "dim1": "extension", "csrf_token": csrf}, status="*")
    yield app, out
    store.close_db()


def _rules(app, method: str) -> list[str]:
    return sorted({r.rule for r in app.routes if r.method == method and (method, r.rule) not in NEVER})


def _path(rule: str, parts: list[str]) -> str:
    """The rule with each <wildcard> filled from `parts` (URL-quoted)."""
    it = iter(parts + ["1"] * 4)
    return re.sub(r"<[^>]+>", lambda m: quote(next(it), safe="") or "1", rule)


def _check(resp, what) -> None:
    assert resp.status_int < 500, (what, resp.status, resp.errors[-2000:] if resp.errors else resp.text[-2000:])


def _request(clients, role: str, method: str, rule: str, parts: list[str], params: list[tuple[str, str]]):
    app, by_role = clients
    client, csrf = by_role[role]
    url = _path(rule, parts)
    if method == "GET":
        resp = client.get(url + ("?" + urlencode(params) if params else ""), status="*", expect_errors=True)
    else:
        resp = client.post(url, params + [("csrf_token", csrf)], status="*", expect_errors=True)
    _check(resp, (role, method, url, params))
    if resp.status_int == 303 and resp.headers.get("Location", "").find("/login") >= 0:
        # a form changed this user's password: log in again, after forgetting the fuzz's own failed logins (odd
        # passwords posted to /login) that may have locked this address out (appliance.access.users throttle)
        Throttle.delete().execute()
        by_role[role] = (client, login(client, role))


FUZZ = settings(max_examples=100, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Either a few parameters with values of their own, or every known parameter with one value (a handler then
# surely gets it, whichever names it reads).
PARAMS = st.one_of(st.lists(st.tuples(st.sampled_from(NAMES), VALUES), max_size=8),
                   VALUES.map(lambda v: [(n, v) for n in NAMES]))


@pytest.mark.parametrize("role", ["admin", "ayse"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_no_request_gives_500(clients, role, method):
    rules = _rules(clients[0], method)

    @FUZZ
    @given(rule=st.sampled_from(rules), parts=st.lists(VALUES, max_size=2), params=PARAMS)
    def fuzz(rule, parts, params):
        _request(clients, role, method, rule, parts, params)

    fuzz()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_route_with_each_odd_value_in_every_parameter(clients, method):
    """Not left to chance: each route once with every known parameter (and path part) set to each odd value."""
    for rule in _rules(clients[0], method):
        for value in ["99999999999999999999999", "²", "<unknown>", "\x00", "9999-12-31", "-1", "nan", "",
                      "2017-02-30", "1e999"]:
            _request(clients, "admin", method, rule, [value], [(n, value) for n in NAMES])
