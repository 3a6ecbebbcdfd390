"""Issue 20: a call to hunt group 200 "Sales" ([directory] hunt_groups) read in reports as a call to number 200 or to
extension 200. Reports name it ("Sales (hunt group 200)", in the reader's language) wherever the number shows as an
extension or a number, and group and filter by the hunt_group dimension (the group's number or name), from the
setting as it is when the report runs (appliance/reports/hunt.py): a renamed or new group needs no roll-up rebuild."""
from __future__ import annotations

from appliance import store
from appliance.delivery import report_files
from appliance.reports import engine as reports
from appliance.reports import rollup
from appliance.reports.labels import words
from test_rollup import ADMIN, DAY0, TZ, insert, org  # noqa: F401  (org: the fixture)

CALLS = [  # (day, second, direction, ext, trunk, ring, talk, answered, cost, tenant, kind, currency)
    (0, 9 * 3600, "in", "200", "T1", 5, 60, True, None, "", "", "EUR"),         # the PBX names the group's number
    (0, 10 * 3600, "in", "200", "T1", 20, 0, False, None, "", "", "EUR"),       # ... missed
    (0, 11 * 3600, "internal", "201", "", 2, 30, True, None, "", "", "EUR"),    # 201 dials the group: party 200
    (0, 12 * 3600, "out", "202", "", 4, 15, True, None, "", "", "EUR"),         # printed outgoing to 300 "Destek"
    (1, 9 * 3600, "out", "201", "T1", 3, 120, True, "0.50", "", "mobile", "EUR"),   # a real outgoing call
]
GROUPS = {"200": "Sales", "300": "Destek"}


def stored() -> None:
    insert(CALLS)
    for cid, party in ((1, "0612345678"), (2, "0612345679"), (3, "200"), (4, "300"), (5, "0532123456")):
        store.db.execute_sql("UPDATE call SET party = ?, number = '' WHERE id = ?", (party, cid))


def run(spec: reports.Spec, groups=GROUPS, **kw) -> reports.Result:
    return reports.run(spec, ADMIN, "default", DAY0, tz=TZ, hunt_groups=groups, **kw)


def test_reports_group_and_filter_by_hunt_group_from_the_setting_as_it_is(org):  # noqa: F811
    stored()
    rollup.refresh()
    by_group = run(reports.Spec(("hunt_group",), ("calls", "answered", "talk"), "all"))
    assert by_group.rows == [["", 1, 1, 120], ["200", 3, 2, 90], ["300", 1, 1, 15]]
    assert by_group.hunt_groups == GROUPS and by_group.totals[1:] == [5, 4, 225]
    assert by_group.rows == run(reports.Spec(("hunt_group",), ("calls", "answered", "talk"), "all"),
                                use_rollup=False).rows
    for chosen in (["200"], ["Sales"]):        # by the group's number or its name
        sales = run(reports.Spec(("direction",), ("calls", "unanswered"), "all", filters={"hunt_group": chosen}))
        assert sales.rows == [["in", 2, 1], ["internal", 1, 0]], chosen
    # the setting changed (a group renamed, one more): the next report follows, nothing rebuilt
    renamed = run(reports.Spec(("hunt_group",), ("calls",), "all"), {"200": "Satış", "300": "Destek", "201": "Ops"})
    assert renamed.rows == [["200", 2], ["201", 2], ["300", 1]] and renamed.hunt_groups["200"] == "Satış"   # ext first
    assert run(reports.Spec(("hunt_group",), ("calls",), "all"), {}).rows == [["", 5]]
    assert run(reports.Spec(("extension",), ("calls",), "all")).source.startswith("rollup")   # the names cost nothing


def test_a_hunt_groups_number_is_named_as_the_group_in_the_readers_language(org):  # noqa: F811
    en, tr = words("en"), words("tr")
    assert en.value("number", "200", GROUPS) == "Sales (hunt group 200)"
    assert en.value("extension", "200", GROUPS) == "Sales (hunt group 200)"
    assert tr.value("hunt_group", "300", GROUPS) == "Destek (arama grubu 300)"
    assert tr.value("hunt_group", "", GROUPS) == "(arama grubu yok)"
    assert en.value("hunt_group", "", {}) == "(no hunt group)"
    assert en.value("number", "0612345678", GROUPS) == "0612345678" and en.value("trunk", "200", GROUPS) == "200"
    assert en.value("number", "200") == "200"                                  # no setting: the number
    stored()
    result = run(reports.Spec(("number",), ("calls",), "all", filters={"direction": ["internal", "out"]}))
    csv = report_files.csv_text(result, "tr")         # a scheduled report's CSV keeps the data: the number
    assert "\r\n200,1\r\n" in csv and "\r\n300,1\r\n" in csv
    pdf_cells = [report_files._cell(words("tr"), "number", r[0], result.hunt_groups) for r in result.rows]
    assert pdf_cells == ["0532123456", "Sales (arama grubu 200)", "Destek (arama grubu 300)"]
