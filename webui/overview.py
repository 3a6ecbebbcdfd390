"""The home page's month at a glance (issue 20): last month beside this one, this month's top people and destinations
by cost, the cost per department and the calls per hour, in the user's scope, from the report engine (its
roll-ups), so a first look at the box says something."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from appliance.reports import engine as reports
from appliance.reports import search as call_search
from webui.reports import common as rp

log = logging.getLogger(__name__)
TOP = 5              # rows a box shows unless the reader asks for more (webui.sorting: sorted over all it keeps)
KEPT = 1000          # rows a box keeps to sort and cut (the most costly, the newest)


@dataclass
class Overview:
    last: call_search.Totals | None = None        # last month's totals (None: nothing to compare)
    last_year: int = 0
    last_month: int = 0
    people: list[tuple[str, int, Decimal | None, str]] = field(default_factory=list)   # (name, calls, cost, cur)
    destinations: list[tuple[str, int, Decimal | None, str]] = field(default_factory=list)
    departments: list[tuple[str, int, Decimal | None, str]] = field(default_factory=list)
    hours: reports.Result | None = None       # calls per hour: charted at render time, in the reader's language
    not_called_back: list = field(default_factory=list)    # the last missed callers nobody reached (Call rows)


CALLBACK_DAYS = 7        # missed incoming calls this far back whose number no answered call reached since
MATCH_DIGITS = 9         # numbers match on their last digits (0532 123 45 67 = +90 532 123 45 67)


def _key(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[-MATCH_DIGITS:] if len(digits) >= 4 else ""


def not_called_back(user, pbx_tenant: str, now: float) -> list:
    """The missed incoming calls of the last CALLBACK_DAYS (newest first, one per number) whose number no answered
    call reached after them, in or out (someone called back, or the caller got through): the KEPT newest. In the
    user's scope."""
    since = int(now) - CALLBACK_DAYS * 86400
    missed = call_search.query(user, pbx_tenant, call_search.Criteria(since=since, direction="in", answered=False))
    reached: dict[str, int] = {}          # number -> the last start of an answered call with it
    for call in call_search.query(user, pbx_tenant, call_search.Criteria(since=since, answered=True)).iterator():
        k = _key(call.party or "")
        if k and call.start_utc > reached.get(k, -1):
            reached[k] = call.start_utc
    waiting: dict[str, Any] = {}
    for call in missed.limit(5000):
        k = _key(call.party or "")
        if k and k not in waiting and reached.get(k, -1) < call.start_utc:
            waiting[k] = call
    return list(waiting.values())[:KEPT]


def _top(result: reports.Result, dim: str) -> list[tuple[Any, int, Decimal | None, str]]:
    """The KEPT rows by cost (then calls), each (value of `dim`, calls, cost, currency)."""
    cols = result.columns
    d, calls, cost = cols.index(dim), cols.index("calls"), cols.index("cost")
    cur = cols.index("currency") if "currency" in cols else None
    rows = [(r[d], r[calls], r[cost], r[cur] if cur is not None else result.currency) for r in result.rows]
    rows.sort(key=lambda r: (-(r[2] or 0), -r[1]))
    return rows[:KEPT]


def build(data_dir: Path, user, pbx_tenant: str, tz, now: float, charge: str = "first") -> Overview:
    """The overview for `user` at `now` (rp.NoData before the worker made the database)."""
    since, _until, _year, _month = call_search.month_bounds(now, tz)
    l_since, l_until, l_year, l_month = call_search.month_bounds(since - 1, tz)

    def run(dims: tuple[str, ...], measures: tuple[str, ...]) -> reports.Result:
        return reports.run(reports.Spec(dims, measures, "this_month"), user, pbx_tenant, now=now, tz=tz,
                           transfer_charge=charge)

    def work() -> Overview:
        last = call_search.totals(user, pbx_tenant, call_search.Criteria(since=l_since, until=l_until), charge)
        hours = run(("hour",), ("calls",))
        waiting = not_called_back(user, pbx_tenant, now)
        return Overview(last if last.calls else None, l_year, l_month,
                        _top(run(("person",), ("calls", "cost")), "person"),
                        _top(run(("destination",), ("calls", "cost")), "destination"),
                        _top(run(("department",), ("calls", "cost")), "department"),
                        hours if hours.rows else None, waiting)
    return rp.offload(data_dir, work)
