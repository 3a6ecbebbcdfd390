"""The dialer's rules as pure functions: calling windows per weekday in a time zone, retries per outcome, what an
OriginateResponse means, and numbers normalised with the rating's numbering plan (the same E.164 as every call).

Windows are written as the call centre's opening hours are: `mon-fri 09:00-18:00, sat 10:00-14:00` (a day may have
several items; 24:00 ends a day), in the campaign's own time zone: a campaign calling Norway from a box in Istanbul
keeps Norwegian hours, across daylight-saving changes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

import phonenumbers as pn

from appliance.rating import numbering

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ITEM = re.compile(r"^(?P<d1>[a-z]{3})(?:-(?P<d2>[a-z]{3}))?\s+(?P<h1>\d{1,2}):(?P<m1>\d\d)\s*-\s*(?P<h2>\d{1,2}):"
                  r"(?P<m2>\d\d)$")
# OriginateResponse Reason: the last control frame seen on the originated channel (tests/fixtures/ami/PROVENANCE.md)
REASON_OUTCOMES = {"4": "answered", "5": "busy", "3": "no_answer", "1": "no_answer", "8": "failed", "0": "failed"}
KINDS_DIALLED = {"local", "long_distance", "mobile", "international_fixed", "international_mobile"}


class RuleError(ValueError):
    """A campaign setting that cannot be used (the message names it)."""


@dataclass(frozen=True)
class Windows:
    """Per ISO weekday (1-7), the [start, end) minutes of the day in which the campaign may call."""
    week: tuple[tuple[int, tuple[tuple[int, int], ...]], ...]

    def is_open(self, when: datetime) -> bool:
        minute = when.hour * 60 + when.minute
        return any(a <= minute < b for a, b in dict(self.week).get(when.isoweekday(), ()))

    def next_open(self, when: datetime) -> datetime | None:
        """The first moment at or after `when` (aware, in the campaign's zone) the window is open; None: never."""
        if not self.week:
            return None
        day = when.replace(hour=0, minute=0, second=0, microsecond=0)
        minute = when.hour * 60 + when.minute
        for i in range(8):
            d = day + timedelta(days=i)
            for a, b in dict(self.week).get(d.isoweekday(), ()):
                if i == 0 and minute >= b:
                    continue
                if i == 0 and minute >= a:
                    return when
                return d.replace(hour=a // 60, minute=a % 60)
        return None


def _days(first: str, last: str | None) -> list[int]:
    a = DAYS.index(first) + 1
    b = DAYS.index(last) + 1 if last else a
    return [((a - 1 + i) % 7) + 1 for i in range((b - a) % 7 + 1)]


def parse_windows(text: str) -> Windows:
    """`mon-fri 09:00-18:00, sat 10:00-14:00` -> Windows; RuleError naming the bad item."""
    week: dict[int, list[tuple[int, int]]] = {}
    for item in filter(None, (i.strip().lower() for i in text.replace(";", ",").split(","))):
        m = ITEM.match(item)
        if not m or m["d1"] not in DAYS or (m["d2"] and m["d2"] not in DAYS):
            raise RuleError(f"calling windows: {item!r}: expected DAYS HH:MM-HH:MM (mon-fri 09:00-18:00; days "
                            f"{', '.join(DAYS)})")
        start, end = int(m["h1"]) * 60 + int(m["m1"]), int(m["h2"]) * 60 + int(m["m2"])
        if int(m["m1"]) > 59 or int(m["m2"]) > 59 or start >= 24 * 60 or end > 24 * 60 or end <= start:
            raise RuleError(f"calling windows: {item!r}: a time range within one day (00:00-24:00), ending after "
                            "it starts")
        for day in _days(m["d1"], m["d2"]):
            week.setdefault(day, []).append((start, end))
    if not week:
        raise RuleError("calling windows: none given (e.g. mon-fri 09:00-18:00)")
    return Windows(tuple(sorted((d, tuple(sorted(r))) for d, r in week.items())))


def open_now(windows: str, tz: tzinfo, now: float) -> bool:
    return parse_windows(windows).is_open(datetime.fromtimestamp(now, tz))


@dataclass(frozen=True)
class Retries:
    """How often a contact is tried, and how long after each outcome that was not an answer."""
    max_attempts: int = 3
    busy_min: int = 10
    no_answer_min: int = 60
    failed_min: int = 30

    def __post_init__(self) -> None:
        if not 1 <= self.max_attempts <= 100:
            raise RuleError(f"max attempts: {self.max_attempts}: from 1 to 100")
        for name in ("busy_min", "no_answer_min", "failed_min"):
            if not 0 <= getattr(self, name) <= 60 * 24 * 30:
                raise RuleError(f"retry delay {name.removesuffix('_min')}: {getattr(self, name)}: 0 to 43200 minutes")

    def after(self, outcome: str, attempts: int, now: int) -> tuple[str, int]:
        """(the contact's next state, its next_utc) once its `attempts`-th attempt ended with `outcome`."""
        if outcome == "answered":
            return "connected", 0
        if attempts >= self.max_attempts:
            return "exhausted", 0
        delay = {"busy": self.busy_min, "no_answer": self.no_answer_min}.get(outcome, self.failed_min)
        return "pending", now + delay * 60


def outcome_of(response: str, reason: str) -> str:
    """An OriginateResponse (Response Success/Failure, Reason) -> answered, busy, no_answer or failed."""
    if response.lower() == "success":
        return "answered"
    found = REASON_OUTCOMES.get(reason.strip(), "failed")
    return "failed" if found == "answered" else found    # a Failure that says "answered" is still a failure


def normalise(raw: str, plan: numbering.NumberingPlan) -> tuple[str, str]:
    """(E.164, "") for a number a campaign may dial, else ("", why). Uses the numbering module as the rating does;
    only numbers phonenumbers knows as valid, of a kind that is dialled out (no extensions, short or emergency
    codes, premium or unknown ranges)."""
    text = raw.strip()
    if not text:
        return "", "empty"
    number = numbering.normalize(text, plan)
    c = numbering.classify(number, plan)
    if not c.e164 or not c.known:
        return "", "not a valid phone number"
    if c.kind not in KINDS_DIALLED:
        return "", f"not dialled: {c.kind.replace('_', ' ')} number"
    return c.e164, ""


def dial_string(e164: str, fmt: str, plan: numbering.NumberingPlan) -> str:
    """What the PBX is handed for an E.164 number ([dialer] number_format)."""
    if fmt == "e164":
        return e164
    if fmt == "digits":
        return e164.lstrip("+")
    n = pn.parse(e164)
    if pn.region_code_for_number(n) == plan.country or n.country_code == pn.country_code_for_region(plan.country):
        return re.sub(r"\D", "", pn.format_number(n, pn.PhoneNumberFormat.NATIONAL))
    return "00" + e164.lstrip("+")
