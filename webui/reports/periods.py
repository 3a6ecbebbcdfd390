"""A report's period: as the user's language writes it (page and PDF subtitles), and as the call list's criteria
(a report row's link to its calls)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo
from typing import Callable
from urllib.parse import urlencode

from babel import dates

from appliance.reports import engine as reports
from webui.i18n import locale


def local_iso(epoch: int, tz: tzinfo) -> str:
    return datetime.fromtimestamp(epoch, tz).strftime("%Y-%m-%dT%H:%M")


def period_text(since: int, until: int, tz: tzinfo) -> str:
    """A report's period as the user's language writes dates: whole days as first day – last day (the end is
    exclusive: until midnight of 1 Aug is up to 31 Jul), else both moments with their time; never raw ISO."""
    first, end = datetime.fromtimestamp(since, tz), datetime.fromtimestamp(until, tz)
    loc = locale()
    if first.time() == end.time() == datetime.min.time() and end > first:
        last = (end - timedelta(days=1)).date()
        days = [dates.format_date(d, "medium", locale=loc) for d in dict.fromkeys((first.date(), last))]
        return " – ".join(days)
    return " – ".join(dates.format_datetime(m, "short", locale=loc) for m in (first, end))


def _period(dim: str, value: str, tz: tzinfo) -> tuple[int, int] | None:
    try:
        if dim == "day":
            start = datetime.fromisoformat(value)
            end = start + timedelta(days=1)
        elif dim == "month":
            start = datetime.fromisoformat(value + "-01")
            end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1)
        else:
            start = datetime(int(value), 1, 1)
            end = datetime(start.year + 1, 1, 1)
    except ValueError:
        return None
    return int(start.replace(tzinfo=tz).timestamp()), int(end.replace(tzinfo=tz).timestamp())


LINK_DIMS = {"extension", "person", "trunk", "direction", "day", "month", "year"}
LINK_FILTERS = {"extension", "person", "trunk", "direction"}


def calls_link(spec: reports.Spec, result: reports.Result, tz: tzinfo) -> Callable[[list], str]:
    """row -> /calls?... with the row's criteria and the report's dates, or "" where the call search cannot
    ask the same (a department, a time range, a band...)."""
    dims = result.columns[:result.ndims]
    filters = {k: v for k, v in spec.filters.items()}
    if not set(dims) <= LINK_DIMS or not set(filters) <= LINK_FILTERS or any(len(v) != 1 for v in filters.values()):
        return lambda row: ""

    def link(row: list) -> str:
        q = {k: str(v[0]) for k, v in filters.items()}
        since, until = result.since, result.until
        for dim, value in zip(dims, row):
            value = str(value)
            if dim in ("day", "month", "year"):
                span = _period(dim, value, tz)
                if span is None:
                    return ""
                since, until = max(since or span[0], span[0]), min(until or span[1], span[1])
            elif dim == "person":
                m = re.search(r"\(([^()]+)\)$", value)
                if not m:
                    return ""
                q["person"] = m.group(1)
            elif not value:
                return ""
            else:
                q[dim] = value
        if since is not None:
            q["since"] = local_iso(since, tz)
        if until is not None:
            q["until"] = local_iso(until, tz)
        return "/calls?" + urlencode(q)
    return link
