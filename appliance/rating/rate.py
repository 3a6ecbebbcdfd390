"""The price of one call under a compiled tariff plan: pure functions, Decimal money, local-time bands across DST."""
from __future__ import annotations

import logging
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal

from appliance.rating.tariffs import CompiledPlan, CompiledVersion

log = logging.getLogger(__name__)

ZERO = Decimal(0)
SIXTY = Decimal(60)
ROUNDING_MODES = {"half-up": ROUND_HALF_UP, "up": ROUND_UP, "down": ROUND_DOWN, "bankers": ROUND_HALF_EVEN}
_EPOCH_DAY = date(1970, 1, 1).toordinal()


class Unrated(ValueError):
    """The plan has no price for this call (no version active at its start, or no destination matches)."""


@dataclass(frozen=True, slots=True)
class Explain:
    """How a price came about, for the bill and for anyone who doubts it."""
    number: str                    # the number as rate() got it (E.164 or a short number)
    kind: str                      # its class (appliance/numbering.py)
    matched: str                   # the prefix that matched ("+90532") or "class:mobile"
    destination: str
    plan: str                      # "provider / plan"
    version: str                   # the version's valid_from date (ISO)
    bands: tuple[tuple[str, int], ...]                       # (band, seconds of talk in it), in call order
    steps: tuple[tuple[str, int, int, str, Decimal], ...]    # (band, period s, units, unit price, amount)
    connection_fee: Decimal
    minimum_applied: bool          # the total was raised to the rate's minimum charge
    before_rounding: Decimal
    rounding: str                  # e.g. "half-up to 2 decimals"
    cost: Decimal

    def as_dict(self) -> dict:
        """JSON-ready: amounts as strings (exact), tuples as lists of objects."""
        return {"number": self.number, "kind": self.kind, "matched": self.matched, "destination": self.destination,
                "plan": self.plan, "version": self.version,
                "bands": [{"band": b, "seconds": s} for b, s in self.bands],
                "steps": [{"band": b, "period_s": p, "units": n, "unit_price": u, "amount": str(a)}
                          for b, p, n, u, a in self.steps],
                "connection_fee": str(self.connection_fee), "minimum_applied": self.minimum_applied,
                "before_rounding": str(self.before_rounding), "rounding": self.rounding, "cost": str(self.cost)}


@dataclass(frozen=True, slots=True)
class Price:
    """The price of one call and its explanation."""
    cost: Decimal
    currency: str
    destination: str
    plan: str
    version: str
    plan_id: int | None
    version_id: int | None
    explain: Explain


# ---- UTC offsets: cached per zone and window, so a call needs no datetime at all ----

_WINDOW_BITS = 22                      # 4,194,304 s (48.5 days) per cached window
_offsets: dict[tuple[tzinfo, int], tuple[list[int], list[int]]] = {}


def _offset_at(tz: tzinfo, u: int) -> int:
    offset = datetime.fromtimestamp(u, tz).utcoffset()
    return int(offset.total_seconds()) if offset else 0


def _window(tz: tzinfo, w: int) -> tuple[list[int], list[int]]:
    """The instants at which the offset changes inside window w (the first is the window start), and offsets."""
    lo, hi = w << _WINDOW_BITS, (w + 1) << _WINDOW_BITS
    starts, offs = [lo], [_offset_at(tz, lo)]
    t = lo
    while t < hi:
        nxt = min(t + 86400, hi - 1)   # zones change offset at most once a day
        o = _offset_at(tz, nxt)
        if o != offs[-1]:
            a, b = t, nxt              # offset(a) == offs[-1] != offset(b): find the first second of the new one
            while b - a > 1:
                mid = (a + b) // 2
                a, b = (mid, b) if _offset_at(tz, mid) == offs[-1] else (a, mid)
            starts.append(b)
            offs.append(o)
        t = nxt if nxt > t + 1 else hi
    if len(_offsets) > 20000:
        _offsets.clear()
    _offsets[(tz, w)] = (starts, offs)
    return starts, offs


def offset_span(tz: tzinfo, u: int) -> tuple[int, int]:
    """(UTC offset in seconds at instant u, the first instant after u at which it may change)."""
    w = u >> _WINDOW_BITS
    starts, offs = _offsets.get((tz, w)) or _window(tz, w)
    i = bisect_right(starts, u) - 1
    return offs[i], starts[i + 1] if i + 1 < len(starts) else (w + 1) << _WINDOW_BITS


# ---- rating ----

def _band_at(v: CompiledVersion, local: int) -> tuple[int, int]:
    """(band index, local epoch second at which that band ends) for a local epoch second."""
    day = local // 86400
    sod = local - day * 86400
    limit = 86400
    hol = v.holidays.get(day)
    if hol is not None and sod >= hol:
        bounds, bands = v.sched[7]
    else:
        bounds, bands = v.sched[(day + 3) % 7]   # 1970-01-01 was a Thursday; 0 = Monday
        if hol is not None:
            limit = hol
    i = bisect_right(bounds, sod) - 1
    end = bounds[i + 1]
    return bands[i], day * 86400 + (end if end < limit else limit)


def _segments(v: CompiledVersion, tz: tzinfo, start: int, talk_s: int, off: int, until: int) -> list[list[int]]:
    """[[from s, to s, band]] relative to the call start: runs of talk in one band, local time, DST included."""
    segs: list[list[int]] = []
    u, end = start, start + talk_s
    while u < end:
        if u >= until:
            off, until = offset_span(tz, u)
        band, band_end = _band_at(v, u + off)
        e = min(end, band_end - off, until)
        if segs and segs[-1][2] == band:
            segs[-1][1] = e - start
        else:
            segs.append([u - start, e - start, band])
        u = e
    return segs


def _charge(v: CompiledVersion, rates: tuple, segs: list, talk_s: int):
    """(amount before the minimum, step lines): each unit priced by the band in which it starts."""
    first = rates[segs[0][2]]
    fixed, per_min, lines, s = first.connection_fee, ZERO, [], 0
    for k, (period, count, _, _) in enumerate(first.steps):
        stop = talk_s if count is None else min(talk_s, s + count * period)
        for a, b, band in segs:
            lo, hi = (a if a > s else s), (b if b < stop else stop)
            if lo < hi:
                n = (s - lo) // period - (s - hi) // period   # units starting in [lo, hi)
                if n:
                    _, _, price, minute = rates[band].steps[k]
                    if minute:
                        per_min += n * period * price
                        lines.append((v.band_names[band], period, n, f"{price}/min", n * period * price / SIXTY))
                    else:
                        fixed += n * price
                        lines.append((v.band_names[band], period, n, str(price), n * price))
        if count is None or stop >= talk_s:
            break
        s = stop
    return (fixed + per_min / SIXTY if per_min else fixed), tuple(lines)


def _by_prefix(entries: tuple, kind: str) -> tuple[int, str] | None:
    """A number phonenumbers does not know, under one prefix: the destination of its class, the one without
    classes, or the only one there (its single class then names the number's kind); None when classes split
    the prefix and the number's class is none of them."""
    for classes, d in entries:
        if classes is None or kind in classes:
            return d, kind
    if len(entries) == 1:
        classes, d = entries[0]
        return d, next(iter(classes)) if len(classes) == 1 else kind
    return None


def _match(v: CompiledVersion, number: str, kind: str, known: bool = True) -> tuple[int, str, str]:
    """(destination, the prefix or class matched, the kind it was priced as)."""
    n, get = len(number), v.prefixes.get
    for length in v.lengths:
        if length <= n:
            entries = get(number[:length])
            if entries:
                if not known:
                    by_prefix = _by_prefix(entries, kind)
                    if by_prefix is not None:
                        return by_prefix[0], number[:length], by_prefix[1]
                    continue
                for classes, d in entries:
                    if classes is None or kind in classes:
                        return d, number[:length], kind
    found = v.classes.get(kind)
    if found is None:
        raise Unrated(f"{v.label}: no destination for {number} ({kind})")
    return found, "class:" + kind, kind


def rate(number: str, kind: str, start_utc: int, talk_s: int, tz: tzinfo, plan: CompiledPlan,
         known: bool = True) -> Price:
    """The price of a call to `number` (normalized: E.164 "+90..." or a short number) of class `kind`, answered at
    start_utc (epoch s) and talking talk_s seconds, at a PBX in zone tz. Raises Unrated if the plan has no price.

    `known`: phonenumbers knows the number, so its class is trusted. A number it does not know is priced by prefix
    (issue 21): the longest prefix wins even where its destination claims another class, and names the kind."""
    if talk_s < 0:
        raise ValueError(f"talk time {talk_s} s is negative")
    off, until = offset_span(tz, start_utc)
    day = (start_utc + off) // 86400
    i = bisect_right(plan.days, day) - 1
    if i < 0:
        first = date.fromordinal(_EPOCH_DAY + plan.days[0]) if plan.days else "never"
        raise Unrated(f"{plan.label}: no version active on {date.fromordinal(_EPOCH_DAY + day)} (first: {first})")
    v = plan.versions[i]
    d, matched, kind = _match(v, number, kind, known)
    rates = v.rates[d]
    if talk_s == 0:   # not connected: nothing to pay, not even the connection fee
        segs, total, lines, fee, minimum = [], ZERO, (), ZERO, False
    else:
        if v.split:
            segs = _segments(v, tz, start_utc, talk_s, off, until)
        else:
            segs = [[0, talk_s, _band_at(v, start_utc + off)[0]]]
        total, lines = _charge(v, rates, segs, talk_s)
        fee, floor = rates[segs[0][2]].connection_fee, rates[segs[0][2]].minimum
        minimum = total < floor
        if minimum:
            total = floor
    cost = total.quantize(v.quantum, ROUNDING_MODES[v.rounding])
    name = v.dest_names[d]
    explain = Explain(number, kind, matched, name, plan.label, v.valid_from,
                      tuple((v.band_names[b], e - a) for a, e, b in segs), lines, fee, minimum, total,
                      v.rounding_text, cost)
    return Price(cost, v.currency, name, plan.label, v.valid_from, plan.id, v.id, explain)
