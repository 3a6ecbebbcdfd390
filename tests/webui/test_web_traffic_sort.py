"""Issue 20: the traffic reports' tables (missed calls, trunks, concurrency) sort by any column and show the top N,
as the breakdown's table does; the totals stay those of every row."""
from __future__ import annotations

import re

from test_web_reports import app, q, seeded  # noqa: F401 (the sample's reports, as in test_web_reports)
from web_helpers import logged_in


def rows(html: str) -> list[list[str]]:
    body = html[html.index('<table class="report">'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    return [re.findall(r"<td(?: class=\"num\")?>([^<]*)</td>", tr) for tr in body.split("<tr>")[1:]]


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text) or 0)


def test_traffic_tables_sort_by_any_column_and_show_the_top_rows(app):  # noqa: F811
    client, _csrf = logged_in(app, "admin")
    plain = rows(client.get("/reports/missed", q()).text)
    html = client.get("/reports/missed", q(sort="8", desc="1")).text                 # Missed, the most first
    missed = [number(r[8]) for r in rows(html)]
    assert missed == sorted(missed, reverse=True) and len(missed) == len(plain) and missed[0] > missed[-1]
    assert 'aria-sort="descending"' in html and "sort=8&amp;desc=0" in html          # again: the other way
    up = [number(r[8]) for r in rows(client.get("/reports/missed", q(sort="8", desc="0")).text)]
    assert up == sorted(up)
    top = client.get("/reports/missed", q(sort="8", desc="1", top="1")).text
    assert [number(r[8]) for r in rows(top)] == missed[:1]
    hidden = len(plain) - 1
    assert f"{hidden} more {'is' if hidden == 1 else 'are'} in the totals" in top
    trunks = rows(client.get("/reports/trunks", q(sort="3", desc="1")).text)          # Calls
    calls = [number(r[3]) for r in trunks]
    assert calls == sorted(calls, reverse=True)
    names = [r[1] for r in rows(client.get("/reports/trunks", q(sort="1", desc="0")).text)]
    assert names == sorted(names, key=str.casefold)
    busiest = rows(client.get("/reports/concurrency", q(step="86400", sort="1", desc="1", top="1")).text)
    assert len(busiest) == 1 and number(busiest[0][1]) == max(
        number(r[1]) for r in rows(client.get("/reports/concurrency", q(step="86400")).text))


def test_the_concurrency_intervals_are_named_in_the_users_language(app):  # noqa: F811
    """Issue 20 audit (make run, tr): the interval choice read '1 min', '1 h', '24 h' on a Turkish page."""
    client, _csrf = logged_in(app, "admin")
    tr = client.get("/reports/concurrency", {"lang": "tr"}).text
    select = tr.split('name="step"', 1)[1].split("</select>")[0]
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', select)
    assert options[:2] == [("60", "1 dk"), ("300", "5 dk")] and ("86400", "24 sa") in options
    assert ">1 t</option>" in client.get("/reports/concurrency", {"lang": "nb"}).text
