"""Issue 20: a call to voicemail by name (IP Office prints it outgoing, "O", to "?GRABOWA" over no trunk) counted as
outgoing in the reports (the direction breakdown, calls_out, talk_out, the department reports' cube) and on the home
page, while the calls page showed it as voicemail. The reports count it under a direction of its own: "voicemail"
(IP Office) or "to_name" (another PBX's call to a name), the same from the calls, the roll-ups and the org cube."""
from __future__ import annotations

from appliance import store
from appliance.reports import engine as reports
from appliance.reports import rollup
from appliance.reports import search as call_search
from test_rollup import ADMIN, DAY0, TZ, insert, org  # noqa: F401  (org: the fixture)

CALLS = [  # (day, second, direction, ext, trunk, ring, talk, answered, cost, tenant, kind, currency)
    (0, 9 * 3600, "out", "201", "T1", 3, 120, True, "0.50", "", "mobile", "EUR"),      # a real outgoing call
    (0, 10 * 3600, "out", "201", "", 2, 40, True, None, "", "", "EUR"),                  # -> ?GRABOWA, IP Office
    (0, 11 * 3600, "out", "202", "", 2, 30, True, None, "", "", "EUR"),                  # -> ?Reception, another PBX
    (0, 12 * 3600, "out", "202", "", 4, 15, True, None, "", "", "EUR"),                  # a number over no trunk: out
    (1, 9 * 3600, "in", "203", "T1", 5, 60, True, None, "", "", "EUR"),
    (1, 10 * 3600, "internal", "203", "", 1, 10, True, None, "", "", "EUR"),
]


def stored() -> None:
    insert(CALLS)
    for cid, party, driver in ((2, "?GRABOWA", "avaya_ipoffice"), (3, "?Reception", "cisco_cucm"),
                               (4, "0532123456", "avaya_ipoffice")):
        store.db.execute_sql("UPDATE call SET party = ?, driver = ? WHERE id = ?", (party, driver, cid))


def test_a_call_to_voicemail_is_not_outgoing_in_reports_or_on_the_home_page(org):  # noqa: F811
    stored()
    spec = reports.Spec(("direction",), ("calls", "calls_out", "talk_out", "talk"), "all")
    raw = reports.run(spec, ADMIN, "default", DAY0, tz=TZ, use_rollup=False)
    assert raw.rows == [["in", 1, 0, 0, 60], ["internal", 1, 0, 0, 10], ["out", 2, 2, 135, 135],
                        ["to_name", 1, 0, 0, 30], ["voicemail", 1, 0, 0, 40]]
    assert raw.totals[1:] == [6, 2, 135, 275]
    rollup.refresh()
    for spec in (spec, reports.Spec(("department", "direction"), ("calls", "calls_out"), "all"),
                 reports.Spec(("month",), ("calls", "calls_out", "talk_out"), "all"),
                 reports.Spec((), ("calls_out",), "all", filters={"direction": ["out"]})):
        fast = reports.run(spec, ADMIN, "default", DAY0, tz=TZ)
        assert fast.source.startswith("rollup"), spec
        assert (fast.rows, fast.totals) == (reports.run(spec, ADMIN, "default", DAY0, tz=TZ, use_rollup=False).rows,
                                            reports.run(spec, ADMIN, "default", DAY0, tz=TZ, use_rollup=False).totals)
    month = reports.run(reports.Spec(("month",), ("calls", "calls_out", "talk_out"), "all"), ADMIN, "default", DAY0,
                        tz=TZ)
    assert month.rows == [["2024-03", 6, 2, 135]]
    voicemail = reports.run(reports.Spec(("extension",), ("calls",), "all", filters={"direction": ["voicemail"]}),
                            ADMIN, "default", DAY0, tz=TZ)
    assert voicemail.rows == [["201", 1]]
    home = call_search.totals(ADMIN, "default", call_search.Criteria(since=DAY0 - 86400))   # the home page's cards
    assert home.by_direction == {"in": 1, "internal": 1, "out": 2, "voicemail": 1, "to_name": 1} and home.calls == 6
