"""Named date ranges (today, last month...) in the box's local zone, and admin-defined named time ranges (REP-3).

A date range resolves to local days [first_day, end_day) (days since 1970-01-01 in local time) plus the UTC
instants of their midnights; a custom range with times of day is kept as UTC instants only. A time range is
a set of ISO weekdays and a local time-of-day interval, matched against each call's own local time.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from appliance.reports.dims import EPOCH_ORDINAL
from appliance.store import versioned
from appliance.store.reports import TimeRange

log = logging.getLogger(__name__)
DATE_RANGES = ("today", "yesterday", "this_week", "last_week", "this_month", "last_month", "this_year",
               "last_year", "all", "custom")


class RangeError(ValueError):
    """A date or time range that cannot be used as given; the message says why."""


@dataclass(frozen=True, slots=True)
class Window:
    """[since, until) in UTC epoch seconds (None = open); first_day/end_day set when it is whole local days."""
    label: str
    since: int | None
    until: int | None
    first_day: int | None = None
    end_day: int | None = None

    @property
    def whole_days(self) -> bool:
        return self.since is None and self.until is None or self.first_day is not None


def _midnight(d: date, tz: tzinfo) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=tz).timestamp())


def _days(label: str, a: date, b: date, tz: tzinfo) -> Window:
    return Window(label, _midnight(a, tz), _midnight(b, tz), a.toordinal() - EPOCH_ORDINAL,
                  b.toordinal() - EPOCH_ORDINAL)


def _month_start(d: date, back: int = 0) -> date:
    m = d.year * 12 + d.month - 1 - back
    return date(m // 12, m % 12 + 1, 1)


def _parse_time(value: str, tz: tzinfo) -> tuple[int, date | None]:
    """An ISO date or time (local time unless it has an offset): (epoch s, the date when only a date is given)."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            d = date.fromisoformat(value.strip())
            return _midnight(d, tz), d
        dt = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RangeError(f"{value!r} is not an ISO 8601 date or time (2024-03-01 or 2024-03-01T08:00)") from None
    return int((dt if dt.tzinfo else dt.replace(tzinfo=tz)).timestamp()), None


def resolve(name: str, tz: tzinfo, now: float, since: str | None = None, until: str | None = None) -> Window:
    """The named range as of `now` in zone `tz`; "custom" takes since/until (ISO; a bare date is local midnight,
    until is exclusive). "all" is every call."""
    today = datetime.fromtimestamp(now, tz).date()
    if name == "today":
        return _days(name, today, today + timedelta(1), tz)
    if name == "yesterday":
        return _days(name, today - timedelta(1), today, tz)
    monday = today - timedelta(today.weekday())
    if name == "this_week":
        return _days(name, monday, monday + timedelta(7), tz)
    if name == "last_week":
        return _days(name, monday - timedelta(7), monday, tz)
    if name == "this_month":
        return _days(name, _month_start(today), _month_start(today, -1), tz)
    if name == "last_month":
        return _days(name, _month_start(today, 1), _month_start(today), tz)
    if name == "this_year":
        return _days(name, date(today.year, 1, 1), date(today.year + 1, 1, 1), tz)
    if name == "last_year":
        return _days(name, date(today.year - 1, 1, 1), date(today.year, 1, 1), tz)
    if name == "all":
        return Window(name, None, None)
    if name != "custom":
        raise RangeError(f"unknown date range {name!r} (known: {', '.join(DATE_RANGES)})")
    if not since or not until:
        raise RangeError("a custom range needs since and until")
    (a, da), (b, db_) = _parse_time(since, tz), _parse_time(until, tz)
    if b <= a:
        raise RangeError(f"the range ends ({until}) before it starts ({since})")
    if da is not None and db_ is not None:
        return _days(f"{since}/{until}", da, db_, tz)
    return Window(f"{since}/{until}", a, b)


# ---- named time ranges ----

@dataclass(frozen=True, slots=True)
class TimeOfWeek:
    """ISO weekdays and a local [start, end) time of day in minutes; end <= start wraps past midnight, and
    end == start is the whole day."""
    name: str
    label: str
    days: frozenset[int]
    start_min: int
    end_min: int

    def as_dict(self) -> dict:
        return {"name": self.name, "label": self.label, "days": days_text(self.days),
                "start": f"{self.start_min // 60:02d}:{self.start_min % 60:02d}",
                "end": f"{self.end_min // 60:02d}:{self.end_min % 60:02d}"}

    def whole_hours(self) -> bool:
        return self.start_min % 60 == 0 and self.end_min % 60 == 0

    def sql(self, day_sql: str, tod_sql: str, unit_s: int) -> str:
        """The condition on a row whose local day is `day_sql` and time of day `tod_sql` (in units of `unit_s`
        seconds: 1 for calls, 3600 for the hour cube)."""
        wd = f"((({day_sql}) + 3) % 7 + 1)"
        cond = f"{wd} IN ({', '.join(str(d) for d in sorted(self.days)) or 'NULL'})"
        a, b = self.start_min * 60 // unit_s, self.end_min * 60 // unit_s
        if a == b:
            return cond
        op = "AND" if a < b else "OR"
        return f"({cond} AND ({tod_sql} >= {a} {op} {tod_sql} < {b}))"


DEFAULT_TIME_RANGES = {   # name -> (label, days, start, end); an admin's row of the same name wins
    "business_hours": ("Business hours", "1-5", "08:00", "18:00"),
    "lunch_break": ("Lunch break", "1-5", "12:00", "13:00"),
    "after_hours": ("After hours", "1-5", "18:00", "08:00"),
    "weekend": ("Weekend", "6,7", "00:00", "00:00"),
}


def parse_days(text: str) -> frozenset[int]:
    """"1-5", "6,7", "1,3-5" -> ISO weekdays."""
    out: set[int] = set()
    for part in text.replace(" ", "").split(","):
        m = re.fullmatch(r"([1-7])(?:-([1-7]))?", part)
        if not m or (m[2] and int(m[2]) < int(m[1])):
            raise RangeError(f"days {text!r}: expected ISO weekdays 1 (Monday) .. 7 (Sunday), e.g. 1-5 or 6,7")
        out.update(range(int(m[1]), int(m[2] or m[1]) + 1))
    return frozenset(out)


def days_text(days: frozenset[int]) -> str:
    return ",".join(str(d) for d in sorted(days))


def parse_hhmm(text: str) -> int:
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text.strip())
    if not m:
        raise RangeError(f"{text!r} is not a time of day HH:MM")
    return int(m[1]) * 60 + int(m[2])


def _build(name: str, label: str, days: str, start: str, end: str) -> TimeOfWeek:
    return TimeOfWeek(name, label or name, parse_days(days), parse_hhmm(start), parse_hhmm(end))


def time_ranges() -> dict[str, TimeOfWeek]:
    """Every named time range: the defaults, overridden or extended by the admin's table (read once per change
    of the database: every report page asks; appliance/store/versioned.py)."""
    if TimeRange._meta.database.in_transaction():        # a writer's own changes are not in the version yet
        return _time_ranges()
    return dict(versioned.cached("reports.time_ranges", None, _time_ranges))


def _time_ranges() -> dict[str, TimeOfWeek]:
    out = {n: _build(n, *v) for n, v in DEFAULT_TIME_RANGES.items()}
    for r in TimeRange.select():
        out[r.name] = _build(r.name, r.label, r.days, r.start, r.end)
    return out


def time_range(name: str) -> TimeOfWeek:
    found = time_ranges().get(name)
    if found is None:
        raise RangeError(f"unknown time range {name!r} (known: {', '.join(sorted(time_ranges()))})")
    return found


def set_time_range(name: str, days: str, start: str, end: str, label: str = "") -> TimeOfWeek:
    """Define (or redefine) a named time range; checked before it is stored."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", name):
        raise RangeError(f"time range name {name!r}: lowercase letters, digits and _ (e.g. night_shift)")
    t = _build(name, label, days, start, end)
    TimeRange.replace(name=name, label=label, days=days_text(t.days), start=start.strip(), end=end.strip()).execute()
    return t


def delete_time_range(name: str) -> bool:
    """Remove the admin's definition (a built-in range falls back to its default); True if one was removed."""
    return TimeRange.delete().where(TimeRange.name == name).execute() > 0
