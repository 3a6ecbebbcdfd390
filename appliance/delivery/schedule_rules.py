"""A report schedule's rules (REP-10): when it fires (local time, DST-safe) and who its recipients are.

Rules, in the box's zone ([pbx] timezone, empty = the box's own):
    daily 07:00 | weekly mon 07:00 (or mon,thu) | monthly 31 07:00 (day 31 = the month's last day when
    shorter) | cron M H DOM MON DOW (5 fields: *, lists, ranges, */step, names; DOM and DOW both restricted
    = either matches, as in cron) | @daily @weekly @monthly @hourly.
A local time the clock skips (spring forward) fires once, when the clock jumps past it (02:30 -> 03:00); a
time the clock shows twice (autumn) fires once, at its first occurrence. A schedule that missed slots (the
box was off) runs once, for the latest slot, at the next check (appliance/schedules.py).
"""
from __future__ import annotations

import calendar
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

from appliance.access import users
from appliance.access.users import Account
from appliance.delivery import mail
from appliance.store import directory as sd
from appliance.store import users as su

log = logging.getLogger(__name__)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
ALIASES = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
           "@monthly": "0 0 1 * *"}
SEARCH_DAYS = 366 * 11             # a cron rule may fire only on 29 February of a leap year on a Monday...


class ScheduleError(ValueError):
    """A schedule that cannot be used as given; the message names the problem."""


@dataclass(frozen=True)
class Rule:
    """When a schedule fires: local times of day on matching local dates."""
    text: str                                  # canonical form, stored
    times: tuple[tuple[int, int], ...]         # (hour, minute), sorted
    months: frozenset[int]                     # 1..12
    days: frozenset[int]                       # day of month 1..31
    weekdays: frozenset[int]                   # 0 = Monday .. 6 = Sunday
    days_any: bool = True
    weekdays_any: bool = True
    clamp_day: int = 0                         # monthly N: day N, or the month's last day when it is shorter

    def matches(self, d: date) -> bool:
        if d.month not in self.months:
            return False
        if self.clamp_day:
            return d.day == min(self.clamp_day, calendar.monthrange(d.year, d.month)[1])
        dom, dow = d.day in self.days, d.weekday() in self.weekdays
        if self.days_any or self.weekdays_any:
            return dom and dow
        return dom or dow                      # cron: both restricted = either


def _hhmm(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text)
    if not m:
        raise ScheduleError(f"{text!r} is not a time of day HH:MM (00:00 to 23:59)")
    return int(m[1]), int(m[2])


def _field(text: str, lo: int, hi: int, what: str, names: tuple[str, ...] = (), base: int = 0) -> set[int]:
    """One cron field: *, N, A-B, */S, A-B/S, A/S and names, comma-separated."""
    def num(tok: str) -> int:
        t = tok.lower()
        if t in names:
            return names.index(t) + base
        if not t.isdigit():
            raise ScheduleError(f"cron {what}: {tok!r} is not a number{' or a name' if names else ''}")
        return int(t)
    out: set[int] = set()
    for part in text.split(","):
        rng, _, step_text = part.partition("/")
        step = num(step_text) if step_text else 1
        if rng == "*":
            a, b = lo, hi
        else:
            a_text, dash, b_text = rng.partition("-")
            a = num(a_text)
            b = num(b_text) if dash else (hi if step_text else a)
        if not (lo <= a <= hi and lo <= b <= hi) or a > b or step < 1:
            raise ScheduleError(f"cron {what}: {part!r} is outside {lo}-{hi} (or a range runs backwards)")
        out.update(range(a, b + 1, step))
    return out


def _cron(fields: list[str], text: str) -> Rule:
    if len(fields) != 5:
        raise ScheduleError(f"cron {text!r}: expected 5 fields (minute hour day-of-month month day-of-week)")
    minutes = _field(fields[0], 0, 59, "minute")
    hours = _field(fields[1], 0, 23, "hour")
    days = _field(fields[2], 1, 31, "day of month")
    months = _field(fields[3], 1, 12, "month", MONTHS, 1)
    cron_dow = _field(fields[4], 0, 7, "day of week", ("sun",) + WEEKDAYS[:6])
    weekdays = frozenset((d - 1) % 7 for d in cron_dow)           # cron 0/7 = Sunday -> 6
    times = tuple(sorted((h, m) for h in hours for m in minutes))
    return Rule("cron " + " ".join(fields), times, frozenset(months), frozenset(days), weekdays,
                fields[2] == "*", fields[4] == "*")


def parse_rule(text: str) -> Rule:
    """The rule of a schedule text (see the module docstring); ScheduleError naming the problem."""
    words = (text or "").strip().split()
    if not words:
        raise ScheduleError("a schedule needs a rule: daily HH:MM, weekly DAY HH:MM, monthly N HH:MM or cron ...")
    kind, args = words[0].lower(), words[1:]
    months, days, weekdays = frozenset(range(1, 13)), frozenset(range(1, 32)), frozenset(range(7))
    if kind in ALIASES and not args:
        return _cron(ALIASES[kind].split(), kind)
    if kind == "cron" or (len(words) == 5 and kind[:1] in "*0123456789"):
        return _cron(args if kind == "cron" else words, text)
    if kind == "daily" and len(args) == 1:
        hm = _hhmm(args[0])
        return Rule(f"daily {hm[0]:02d}:{hm[1]:02d}", (hm,), months, days, weekdays)
    if kind == "weekly" and len(args) == 2:
        names = [d.strip().lower()[:3] for d in args[0].split(",")]
        bad = [n for n in names if n not in WEEKDAYS]
        if bad or not names:
            raise ScheduleError(f"weekly: {args[0]!r} is not a weekday (mon, tue, wed, thu, fri, sat, sun)")
        wd = frozenset(WEEKDAYS.index(n) for n in names)
        hm = _hhmm(args[1])
        return Rule(f"weekly {','.join(WEEKDAYS[i] for i in sorted(wd))} {hm[0]:02d}:{hm[1]:02d}", (hm,),
                    months, days, wd, weekdays_any=False)
    if kind == "monthly" and len(args) == 2:
        if not args[0].isdigit() or not 1 <= int(args[0]) <= 31:
            raise ScheduleError(f"monthly: day {args[0]!r} must be 1 to 31 (31 = the month's last day)")
        hm = _hhmm(args[1])
        return Rule(f"monthly {int(args[0])} {hm[0]:02d}:{hm[1]:02d}", (hm,), months, days, weekdays,
                    clamp_day=int(args[0]))
    raise ScheduleError(f"{text!r}: expected daily HH:MM, weekly DAY[,DAY] HH:MM, monthly N HH:MM, "
                        "cron M H DOM MON DOW or @daily/@weekly/@monthly/@hourly")


def _instant(d: date, hour: int, minute: int, tz: tzinfo) -> int:
    """The UTC instant of a local wall time: its first occurrence in an autumn overlap (fold=0); in a spring
    gap, the first minute after it that the clock shows (the moment of the jump)."""
    wall = datetime(d.year, d.month, d.day, hour, minute)
    for step in range(24 * 60):
        probe = wall + timedelta(minutes=step)
        t = probe.replace(tzinfo=tz).timestamp()
        if datetime.fromtimestamp(t, tz).replace(tzinfo=None) == probe:
            return int(t)
    raise ScheduleError(f"{wall} does not exist in {tz}")   # pragma: no cover - no zone skips a whole day


def slots_on(rule: Rule, d: date, tz: tzinfo) -> list[int]:
    """The rule's firing instants (UTC epoch s) on local date `d`, ascending, each once."""
    if not rule.matches(d):
        return []
    return sorted({_instant(d, h, m, tz) for h, m in rule.times})


def next_after(rule: Rule, t: float, tz: tzinfo) -> int | None:
    """The first firing instant strictly after `t`; None when the rule never fires again."""
    start = datetime.fromtimestamp(t, tz).date() - timedelta(days=1)
    for i in range(SEARCH_DAYS):
        for s in slots_on(rule, start + timedelta(days=i), tz):
            if s > t:
                return s
    return None


def last_at_or_before(rule: Rule, t: float, tz: tzinfo) -> int | None:
    """The latest firing instant at or before `t`; None when it never fired in the searched years."""
    start = datetime.fromtimestamp(t, tz).date() + timedelta(days=1)
    for i in range(SEARCH_DAYS):
        for s in reversed(slots_on(rule, start - timedelta(days=i), tz)):
            if s <= t:
                return s
    return None


def upcoming(rule: Rule, t: float, tz: tzinfo, n: int = 5) -> list[int]:
    """The next `n` firing instants after `t`."""
    out: list[int] = []
    while len(out) < n and (nxt := next_after(rule, out[-1] if out else t, tz)) is not None:
        out.append(nxt)
    return out


# ---- recipients ----

@dataclass
class Recipient:
    """Who gets a copy: the account whose scope the report runs with, and the address."""
    ident: str                       # the dedupe identity: "user:NAME" / "person:TENANT:ID" (casefolded name)
    account: Account | None = None
    address: str = ""
    problem: str = ""                # why nothing can be sent ("" = fine)
    skip: bool = False               # a problem that is not a failure (disabled account, person left)


def check_recipient(text: str) -> str:
    """A recipient as stored (whitespace trimmed); ScheduleError for a bad one."""
    kind, _, rest = text.strip().partition(":")
    who, eq, address = rest.partition("=")
    if kind == "user" and who.strip():
        if eq:
            try:
                mail.check_address(address)
            except ValueError as e:
                raise ScheduleError(f"recipient {text!r}: {e}") from None
        return f"user:{who.strip()}" + (f"={address.strip()}" if eq else "")
    if kind == "person" and rest.strip() and not eq:
        return f"person:{rest.strip()}"
    raise ScheduleError(f"recipient {text!r}: expected user:USERNAME, user:USERNAME=ADDRESS or person:[TENANT:]ID "
                        "(a bare address has no scope to run the report with)")


def _person_email(tenant: str, external_id: str) -> tuple[sd.Person | None, str]:
    tid = sd.tenant_id(tenant)
    row = sd.Person.get_or_none(sd.Person.tenant_id == tid, sd.Person.external_id == external_id) if tid else None
    return row, (row.email.strip() if row else "")


def resolve(text: str, pbx_tenant: str, data_dir: Path) -> Recipient:
    """The recipient's account (their scope) and address, or the problem that stops sending to them."""
    kind, _, rest = text.partition(":")
    if kind == "user":
        name, _, address = rest.partition("=")
        r = Recipient(f"user:{name.casefold()}")
        account = users.get(name) if su.open_if_present(data_dir) else None
        if account is None:
            r.problem = f"no web user {name!r}"
        elif name.casefold() in {u.casefold() for u in users.disabled_usernames()}:
            r.problem, r.skip = f"user {name} is disabled", True
        else:
            r.account, r.address = account, address or _person_email(account.tenant, account.person)[1]
            r.problem = "" if r.address else f"user {name} has no e-mail address (directory person " \
                f"{account.person or '-'}): give one as user:{name}=ADDRESS"
        return r
    tenant, sep, pid = rest.partition(":")
    tenant, pid = (tenant, pid) if sep else (pbx_tenant, rest)
    r = Recipient(f"person:{tenant}:{pid}")
    person, r.address = _person_email(tenant, pid)
    if person is None:
        r.problem = f"no person {pid!r} in tenant {tenant!r}"
    elif person.ended_utc is not None:
        r.problem, r.skip = f"person {pid} has left", True
    elif not r.address:
        r.problem = f"person {pid} has no e-mail address in the directory"
    else:
        r.account = _person_account(tenant, pid, data_dir)
    return r


def _person_account(tenant: str, pid: str, data_dir: Path) -> Account:
    """The person's enabled web account (the lowest id if several), else staff seeing their own calls."""
    if su.open_if_present(data_dir):
        U = su.User
        row = (U.select().where(U.tenant == tenant, U.person == pid, U.disabled == False)  # noqa: E712
               .order_by(U.id).first())
        if row is not None:
            return users.get(row.username) or Account(0, f"person:{pid}", "staff", "own", tenant, pid)
    return Account(0, f"person:{pid}", "staff", "own", tenant, pid)
