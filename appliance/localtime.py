"""PBX local time: IANA zones, and a wall-clock call start as UTC plus the PBX's offset at that moment (DST exact)."""
from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_EPOCH = datetime(1970, 1, 1)
_EPOCH_ORDINAL = _EPOCH.toordinal()


def zone(name: str) -> tzinfo:
    """The named IANA zone, or this box's own zone for ""."""
    try:
        if name:
            return ZoneInfo(name)
        if os.path.exists("/etc/timezone"):
            with open("/etc/timezone") as f:
                return ZoneInfo(f.read().strip())
        if os.path.exists("/etc/localtime"):
            with open("/etc/localtime", "rb") as f:
                return ZoneInfo.from_file(f, key="localtime")
    except (ZoneInfoNotFoundError, ValueError, OSError) as e:
        raise ValueError(f"unknown time zone {name!r}: {e}") from None
    return timezone.utc


def to_utc(start: datetime, tz: tzinfo) -> tuple[int, int]:
    """(epoch seconds UTC, UTC offset in seconds at the PBX) for a call start.

    A naive start is PBX wall-clock time. In the autumn overlap it is read as the first occurrence; a
    time inside the spring gap (which no clock showed) is read with the offset before the change, as
    PEP 495 does, and shown with the offset after it.
    """
    if start.tzinfo is None:
        off0 = _offset(tz, start)
        off1 = _offset(tz, start.replace(fold=1))
        delta = start - _EPOCH
        epoch = delta.days * 86400 + delta.seconds - int(off0.total_seconds())
        return epoch, int((off1 if off0 < off1 else off0).total_seconds())
    epoch = int(start.timestamp())
    return epoch, int(_offset(tz, datetime.fromtimestamp(epoch, tz)).total_seconds())


def offset_at(epoch: int, tz: tzinfo) -> int:
    """The zone's UTC offset in seconds at that moment (to show a stored UTC time as the PBX's local time)."""
    return int(_offset(tz, datetime.fromtimestamp(epoch, tz)).total_seconds())


def _offset(tz: tzinfo, dt: datetime) -> timedelta:
    off = tz.utcoffset(dt)
    if off is None:   # a tzinfo that does not know its offset is no time zone for us
        raise ValueError(f"time zone {tz!r} gives no UTC offset")
    return off


class LocalTime:
    """to_utc for one zone, remembering each day's offset (imports convert millions of times).

    A day whose offset is the same at its start, at its end and in both folds has no change in it (zones
    change at most once a day), so its times convert by arithmetic; other days go through to_utc.
    """

    def __init__(self, tz: tzinfo):
        self.tz = tz
        self._days: dict[int, tuple[int, int] | None] = {}

    def _day(self, ordinal: int) -> tuple[int, int] | None:
        day = datetime.fromordinal(ordinal)
        offsets = {_offset(self.tz, d.replace(fold=f)) for d in (day, day + timedelta(days=1)) for f in (0, 1)}
        if len(offsets) != 1:
            return None
        offset = int(offsets.pop().total_seconds())
        return (ordinal - _EPOCH_ORDINAL) * 86400 - offset, offset

    def __call__(self, start: datetime) -> tuple[int, int]:
        if start.tzinfo is not None:
            return to_utc(start, self.tz)
        ordinal = start.toordinal()
        try:
            day = self._days[ordinal]
        except KeyError:
            if len(self._days) > 50000:
                self._days.clear()
            day = self._days[ordinal] = self._day(ordinal)
        if day is None:
            return to_utc(start, self.tz)
        return day[0] + start.hour * 3600 + start.minute * 60 + start.second, day[1]
