"""Who pays for which stored call: billing periods, attribution at the call's time, the transfer rule (RAT-4)."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from peewee import fn

from appliance import store
from appliance.directory import organisation as directory
from appliance.rating import stuck, transfers
from appliance.rating.transfers import TRANSFER_CHARGES
from appliance.store import directory as sd
from appliance.store import versioned

log = logging.getLogger(__name__)


class BillingError(ValueError):
    """A bill or comparison that cannot be computed as asked (unknown person, bad period); the message says why."""


@dataclass(frozen=True, slots=True)
class Period:
    """[since, until) in UTC epoch seconds; `label` as the user named it (2024-04, 2024-W14, or the two times)."""
    label: str
    kind: str          # month | week | day | custom
    since: int
    until: int


def _midnight(d: date, tz: tzinfo) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=tz).timestamp())


def month(year: int, mon: int, tz: tzinfo) -> Period:
    """The calendar month in local time (its first local midnight to the next month's)."""
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    return Period(f"{year:04d}-{mon:02d}", "month", _midnight(date(year, mon, 1), tz), _midnight(nxt, tz))


def week(year: int, num: int, tz: tzinfo) -> Period:
    """The ISO week (Monday to Monday, local time)."""
    start = date.fromisocalendar(year, num, 1)
    return Period(f"{year:04d}-W{num:02d}", "week", _midnight(start, tz), _midnight(start + timedelta(7), tz))


def parse_period(text: str, tz: tzinfo) -> Period:
    """YYYY-MM (a month), YYYY-Www (an ISO week) or YYYY-MM-DD (a day), in the PBX's local time."""
    t = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", t):
            return month(int(m[1]), int(m[2]), tz)
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", t, re.I):
            return week(int(m[1]), int(m[2]), tz)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
            d = date.fromisoformat(t)
            return Period(t, "day", _midnight(d, tz), _midnight(d + timedelta(1), tz))
    except ValueError as e:
        raise BillingError(f"period {text!r}: {e}") from None
    raise BillingError(f"period {text!r}: expected YYYY-MM (month), YYYY-Www (ISO week) or YYYY-MM-DD (day)")


def custom(since: str, until: str, tz: tzinfo) -> Period:
    """[since, until) from ISO 8601 times; a time without an offset (or a bare date) is local time."""
    def parse(value: str) -> int:
        try:
            dt = datetime.fromisoformat(value.strip())
        except ValueError:
            raise BillingError(f"{value!r} is not an ISO 8601 date or time") from None
        return int((dt if dt.tzinfo else dt.replace(tzinfo=tz)).timestamp())
    a, b = parse(since), parse(until)
    if b <= a:
        raise BillingError(f"the period ends ({until}) before it starts ({since})")
    return Period(f"{since}/{until}", "custom", a, b)


def window(kind: str, at_utc: int, tz: tzinfo) -> Period:
    """The month or ISO week (local time) containing `at_utc`: an allowance's or line charge's period."""
    d = datetime.fromtimestamp(at_utc, tz).date()
    if kind == "month":
        return month(d.year, d.month, tz)
    y, w, _ = d.isocalendar()
    return week(y, w, tz)


@dataclass(frozen=True, slots=True)
class Site:
    """What billing needs of the configuration: the tenant, the PBX's zone, the transfer rule, the cap."""
    tenant_id: int | None
    tz: tzinfo
    transfer_charge: str = "first"     # first: the extension that made the call pays | target: the last leg's
    cap_s: int = 0                     # [rating] max_call_min in seconds (for re-deriving explanations)
    tenant: str = ""                   # the tenant code whose calls are billed
    pbx_tenant: str = ""               # [pbx] tenant: its calls include those stored without a tenant code ("")
    lines: stuck.LineRules | None = None   # caps per trunk ([rating] trunk_caps; None: cap_s for every trunk)


@dataclass(frozen=True, slots=True)
class Usage:
    """One outgoing call as one subscriber sees it. `charged` is False on the transferring person's line when
    the call is charged to the transfer target: ring and talk time stay, the cost does not."""
    call_id: int
    start_utc: int
    utc_offset: int
    extension: str                     # the extension this line is attributed through
    subscriber: str                    # the person's external id, or "ext:<extension>" without a directory entry
    person: directory.Attribution | None
    charged: bool
    party: str
    trunk: str
    ring_s: int
    talk_s: int
    kind: str
    number: str
    cost: Decimal | None               # the stored price (None: not priced), whatever `charged` says
    currency: str
    destination: str
    tariff: str
    capped: int                        # 0, or why priced shorter: stuck.CAP, stuck.OVERLAP (appliance/rating/stuck.py)
    transferred_to: str = ""           # on the first extension's line: whom the call was charged to


def subscriber_of(extension: str, person: directory.Attribution | None) -> str:
    return person.external_id if person else f"ext:{extension}"


def person_extensions(tenant_id: int | None, external_id: str) -> tuple[int, set[str]]:
    """The person's id and every extension they ever had (their calls are then checked at each call's time)."""
    p = None if tenant_id is None else sd.Person.get_or_none(sd.Person.tenant_id == tenant_id,
                                                             sd.Person.external_id == external_id)
    if p is None:
        raise BillingError(f"no person {external_id!r} in the directory" + (" of this tenant" if tenant_id else ""))
    E = sd.ExtensionAssignment
    return p.id, {e.extension for e in E.select(E.extension).where(E.tenant_id == tenant_id, E.person_id == p.id)}


_COLUMNS = ("id", "start_utc", "utc_offset", "extension", "party", "trunk", "ring_s", "talk_s", "kind", "number",
            "cost", "currency", "destination", "tariff", "capped", "legs")


def of_site(site: Site):
    """The condition on `Call` rows of the site's tenant (with those stored without one, for the [pbx] tenant)."""
    C = store.Call
    return C.tenant.in_((site.tenant, "")) if site.tenant == site.pbx_tenant else C.tenant == site.tenant


def _rows(site: Site, since: int, until: int, extensions: set[str] | None) -> list[tuple]:
    return list(_query(site, since, until, extensions).tuples())


def _query(site: Site, since: int, until: int, extensions: set[str] | None):
    C = store.Call
    q = store.calls(since, until).select(*(getattr(C, c) for c in _COLUMNS)).where(C.direction == "out")
    q = q.where(of_site(site))
    if extensions is not None:
        ext = list(extensions)
        # the index on (TRIM(extension), start_utc) finds a subscriber's calls of the period (a few of the month's
        # hundreds of thousands); the exact test is written so that SQLite does not fold it into that one
        # (`extension = 'x'` would make TRIM(extension) a constant and the index unusable)
        cond = fn.TRIM(C.extension).in_(sorted({e.strip(" ") for e in ext})) & C.extension.concat("").in_(ext)
        if site.transfer_charge == "target":   # a call transferred to one of them may have started elsewhere
            cond |= C.id.in_(store.Leg.select(store.Leg.call_id).where(store.Leg.extension.in_(ext)))
        q = q.where(cond)
    return q


def usage(site: Site, since: int, until: int, extensions: set[str] | None = None) -> list[Usage]:
    """The outgoing calls with start in [since, until), in call-start order, each on the line(s) of whoever it
    is attributed to. With transfer_charge = target a transferred call is charged to its last leg's extension
    and also listed, uncharged, for the first extension's subscriber. `extensions`: only calls touching these."""
    rows = _rows(site, since, until, extensions)
    targets = transfers.targets([r[0] for r in rows if r[-1] > 1]) if site.transfer_charge == "target" else {}
    # the directory of just the extensions these calls have (a subscriber's bill: a few, not the whole tenant's)
    needed = {r[3].strip() for r in rows} | set(targets.values())
    index = directory.Index(site.tenant_id, needed) if site.tenant_id is not None else None
    who = (lambda ext, at: index.attribute(ext, at)) if index else (lambda ext, at: None)
    out = []
    for (cid, start, off, ext, party, trunk, ring, talk, kind, number, cost, cur, dest, tariff, capped, _) in rows:
        ext = ext.strip()
        price = Decimal(cost) if cost not in (None, "") else None
        base = dict(call_id=cid, start_utc=start, utc_offset=off, party=party, trunk=trunk, ring_s=ring, talk_s=talk,
                    kind=kind, number=number, cost=price, currency=cur, destination=dest, tariff=tariff,
                    capped=int(capped))
        first = who(ext, start)
        target_ext = targets.get(cid, ext)
        target = first if target_ext == ext else who(target_ext, start)
        payer = subscriber_of(target_ext, target)
        out.append(Usage(extension=target_ext, subscriber=payer, person=target, charged=True, **base))
        if subscriber_of(ext, first) != payer:
            out.append(Usage(extension=ext, subscriber=subscriber_of(ext, first), person=first, charged=False,
                             transferred_to=payer, **base))
    return out


def site_from_config(cfg, tz: tzinfo, tenant: str | None = None) -> Site:
    """The Site of a configuration ([rating] transfer_charge and max_call_min) billing `tenant` (default: the
    [pbx] tenant)."""
    pbx_tenant = cfg.section("pbx").tenant
    code = pbx_tenant if tenant is None else tenant
    rating = cfg.raw_section("rating")
    charge = rating.get("transfer_charge", "first").strip() or "first"
    if charge not in TRANSFER_CHARGES:
        raise BillingError(f"[rating] transfer_charge = {charge!r}: expected first or target")
    cap_min = int(rating.get("max_call_min", "0") or 0)
    try:
        lines = stuck.rules_from(cfg.section("rating"))
    except ValueError as e:
        raise BillingError(str(e)) from None
    # the tenant's id once per change of the database (every bill page asks; appliance/store/versioned.py)
    tid = versioned.cached("directory.tenant_id", code, lambda: sd.tenant_id(code))
    return Site(tid, tz, charge, cap_min * 60, code, pbx_tenant, lines)


def subscriber_usage(site: Site, subscriber: str, since: int, until: int) -> list[Usage]:
    """The lines of one subscriber (a person's external id, or ext:<extension>) in [since, until)."""
    if subscriber.startswith("ext:"):
        extensions = {subscriber[4:]}
    else:
        extensions = person_extensions(site.tenant_id, subscriber)[1]
    return [u for u in usage(site, since, until, extensions) if u.subscriber == subscriber]
