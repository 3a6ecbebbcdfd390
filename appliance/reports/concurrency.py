"""Concurrent calls over time and the busy hour, for a chosen traffic type, in the PBX's local time (REP-7).

A call occupies its line from its start for its ring and talk time: [start, start + ring_s + talk_s).
Hold and park are not stored, so a held call counts until its talk time ends. Intervals are half-open:
a call ending at 10:00:00 and one starting then are never concurrent; a call of 0 s occupies nothing.
Traffic in erlangs over an interval = occupied line-seconds in it / its length in seconds.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from appliance import localtime, store
from appliance.access import scope
from appliance.access.users import Account
from appliance.records import DIRECTIONS

log = logging.getLogger(__name__)
LOOKBACK_S = 86400   # a call that began up to a day before the range and still runs counts in it
STEPS = (60, 300, 600, 900, 1800, 3600, 7200, 10800, 14400, 21600, 28800, 43200, 86400)


@dataclass(frozen=True, slots=True)
class Traffic:
    """Which calls: a direction (in/out/internal/system), a number class (`kind`: local, mobile, ...), a trunk, a
    trunk group (the trunk's provider in the directory at the call's time); None = any (any direction but system)."""
    direction: str | None = None
    kind: str | None = None
    trunk: str | None = None
    group: str | None = None

    def __post_init__(self) -> None:
        if self.direction is not None and self.direction not in DIRECTIONS:
            raise ValueError(f"direction {self.direction!r}: expected one of {', '.join(DIRECTIONS)}")

    def where(self, query):
        """The query narrowed to this traffic (all but the trunk group, which needs the directory)."""
        C = store.Call
        if self.direction:
            query = query.where(C.direction == self.direction)
        else:   # legs to IVR menus, voicemail, feature codes hold no line to anyone: traffic only when asked for
            query = query.where(C.direction != "system")
        if self.kind:
            query = query.where(C.kind == self.kind)
        if self.trunk is not None:
            query = query.where(C.trunk == self.trunk)
        return query

    def to_dict(self) -> dict:
        return {"direction": self.direction, "kind": self.kind, "trunk": self.trunk, "group": self.group}


@dataclass(frozen=True, slots=True)
class Bucket:
    """One interval [start, end) (epoch s) labelled in local time: the most calls up at once, and erlangs."""
    start: int
    end: int
    label: str            # local ISO time of the start, with its UTC offset
    max_concurrent: int
    busy_s: int           # occupied line-seconds inside the interval

    @property
    def erlangs(self) -> float:
        return self.busy_s / (self.end - self.start)

    def to_dict(self) -> dict:
        return {"start": self.label, "seconds": self.end - self.start, "max_concurrent": self.max_concurrent,
                "erlangs": round(self.erlangs, 4)}


def _offset(tz: tzinfo, at: int) -> int:
    off = datetime.fromtimestamp(at, tz).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


def local_bounds(since: int, until: int, step_s: int, tz: tzinfo) -> list[int]:
    """Interval boundaries covering [since, until): instants whose local wall-clock time is a multiple of
    step_s (from local midnight), so hours are local hours across DST and half-hour zones alike."""
    if step_s not in STEPS:
        raise ValueError(f"step {step_s} s: expected one of {', '.join(map(str, STEPS))}")
    if until <= since:
        raise ValueError("the range is empty: until must be after since")
    b = since - (since + _offset(tz, since)) % step_s
    if _offset(tz, b) != _offset(tz, since):   # the clock changed in between: floor on the wall clock
        b = min(_wall_step(since, 0, step_s, tz), since)
    bounds = [b]
    while b < until:
        nxt = b + step_s
        if (nxt + _offset(tz, nxt)) % step_s:
            # The UTC offset changed inside: step to the next multiple on the wall clock instead (a day of
            # 23 or 25 hours, 3 hours across the autumn change for a 2-hour step); a wall time in the spring
            # gap is read as PEP 495 does, i.e. where the clock resumes, and the next step re-aligns.
            nxt = max(_wall_step(b, step_s, step_s, tz), b + 1)
        bounds.append(nxt)
        b = nxt
    return bounds


def _wall_step(at: int, ahead: int, step_s: int, tz: tzinfo) -> int:
    """The instant of the local wall-clock multiple of step_s at or before `at`, plus `ahead` seconds of wall
    clock."""
    wall = datetime.fromtimestamp(at, tz).replace(tzinfo=None)
    wall += timedelta(seconds=ahead - (wall.hour * 3600 + wall.minute * 60 + wall.second) % step_s)
    return localtime.to_utc(wall, tz)[0]


def sweep(intervals: Iterable[tuple[int, int]], bounds: list[int],
          steps: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(max concurrent, busy seconds) in each [bounds[i], bounds[i+1]) for half-open call intervals: one
    pass over the sorted start/end events (ends before starts at the same instant); `steps`: more events, each an
    instant and the net change of the calls up then (other calls' starts and ends merged per instant)."""
    events = list(steps)
    for start, end in intervals:
        if end > start:
            events.append((start, 1))
            events.append((end, -1))
    events.sort()
    out, i, up = [], 0, 0
    for lo, hi in zip(bounds, bounds[1:]):
        while i < len(events) and events[i][0] <= lo:   # what is up at the interval's start
            up += events[i][1]
            i += 1
        peak, busy, at = up, 0, lo
        while i < len(events) and events[i][0] < hi:
            t, step = events[i]
            busy += up * (t - at)
            at, up = t, up + step
            peak = max(peak, up)
            i += 1
        busy += up * (hi - at)
        out.append((peak, busy))
    return out


def intervals(user: Account, pbx_tenant: str, since: int, until: int, traffic: Traffic = Traffic(),
              groups=None) -> list[tuple[int, int]]:
    """[start, end) of the calls the user may see that overlap [since, until). `groups(call_row)` gives
    a call's trunk group when the traffic asks for one (report_trunks.TrunkGroups)."""
    C = store.Call
    q = (C.select(C.start_utc, C.ring_s, C.talk_s, C.trunk, C.tenant)
         .where(C.start_utc >= since - LOOKBACK_S, C.start_utc < until,
                C.start_utc + C.ring_s + C.talk_s > since, scope.visible(user, pbx_tenant)))
    out = []
    for start, ring, talk, trunk, tenant in traffic.where(q).tuples().iterator():
        if traffic.group is not None and (groups is None or groups(tenant, trunk, start) != traffic.group):
            continue
        out.append((start, start + ring + talk))
    return out


def concurrency(user: Account, pbx_tenant: str, since: int, until: int, tz: tzinfo, step_s: int = 3600,
                traffic: Traffic = Traffic(), groups=None, wait: bool = True) -> list[Bucket]:
    """Max concurrent calls and erlangs per local interval of step_s over [since, until) (the first and
    last interval may reach outside it: they are whole local intervals). From the occupancy roll-up when it
    can (appliance/reports/occupancy.py), else from the calls; `wait=False` (the web): rollup.Preparing instead of
    reading many calls while the roll-up is being built."""
    from appliance.reports import occupancy   # noqa: PLC0415 (occupancy builds on this module)
    bounds = local_bounds(since, until, step_s, tz)
    swept = occupancy.swept(user, pbx_tenant, bounds, traffic, wait)
    if swept is None:
        swept = sweep(intervals(user, pbx_tenant, bounds[0], bounds[-1], traffic, groups), bounds)
    return buckets(bounds, swept, tz)


def buckets(bounds: list[int], swept: list[tuple[int, int]], tz: tzinfo) -> list[Bucket]:
    """The buckets of `sweep`'s figures over `bounds`."""
    return [Bucket(lo, hi, store.local_iso(lo, _offset(tz, lo)), peak, busy)
            for (lo, hi), (peak, busy) in zip(zip(bounds, bounds[1:]), swept)]


@dataclass(frozen=True, slots=True)
class BusyHour:
    """The peak clock hour of the period, and the time-consistent busy hour: the hour of the day whose
    traffic, averaged over the period's days, is highest (`profile`: hour of day -> mean erlangs)."""
    peak: Bucket | None
    hour_of_day: int | None
    profile: dict[int, float]
    hours: list[Bucket]

    def to_dict(self) -> dict:
        return {"peak": self.peak.to_dict() if self.peak else None, "hour_of_day": self.hour_of_day,
                "profile": {f"{h:02d}": round(e, 4) for h, e in sorted(self.profile.items())}}


def busy_hour(user: Account, pbx_tenant: str, since: int, until: int, tz: tzinfo, traffic: Traffic = Traffic(),
              groups=None, wait: bool = True) -> BusyHour:
    """The busy hour (most erlangs) of the chosen traffic over [since, until), in local clock hours.
    Ties go to the earlier hour; with no traffic at all there is no busy hour (None)."""
    return busy_of(concurrency(user, pbx_tenant, since, until, tz, 3600, traffic, groups, wait), tz)


def busy_of(hours: list[Bucket], tz: tzinfo) -> BusyHour:
    """The busy hour of these hourly buckets."""
    by_hour: dict[int, list[int]] = {}
    for b in hours:
        by_hour.setdefault(datetime.fromtimestamp(b.start, tz).hour, []).append(b.busy_s)
    profile = {h: sum(v) / (3600 * len(v)) for h, v in by_hour.items()}
    peak = max(hours, key=lambda b: (b.busy_s, -b.start)) if hours else None
    if peak is None or peak.busy_s == 0:
        return BusyHour(None, None, profile, hours)
    best = max(profile, key=lambda h: (profile[h], -h))
    return BusyHour(peak, best, profile, hours)
