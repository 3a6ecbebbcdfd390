"""Missed calls per extension and per person, direct and transferred, counted per logical call (REP-6).

The rule, as a call-centre supervisor reads it (README "Missed calls"):
- Only incoming calls (direction "in") are offered traffic. Each leg of a call with an extension is one
  ring of that extension ("an offer"); a leg whose extension is a voicemail/virtual device (IP Office
  V95xx, `VOICEMAIL`) is no offer, and voicemail taking the call is no answer.
- The legs, in time order, fall into phases: a new phase starts with the first leg that began ringing
  after someone answered (a transfer). Legs ringing together (a fork, a hunt group, ring-no-answer
  forwarding) are one phase. IP Office prints segments with the call's own start: they follow each other,
  so their ring and talk times place them on the timeline.
- A call is missed when its last phase has offers and nobody answered in it: phase 0 = missed direct,
  a later phase = missed transferred (the caller was answered, passed on, and lost). A call that rang
  three phones and was answered by the third is missed for nobody.
- A missed call is missed for every extension it rang in that last phase (each of a hunt group's
  members missed it); each extension and person counts a call once, however often it rang there.
- Per extension and call the outcome is one of: answered (it answered a leg), missed, or answered
  elsewhere; so offered = answered + missed direct + missed transferred + answered elsewhere.
- Totals count logical calls: a call missed by three extensions is one missed call in the totals.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from appliance import registry, store
from appliance.access import scope
from appliance.access.users import Account
from appliance.directory import organisation as directory
from appliance.store import directory as sd

log = logging.getLogger(__name__)
VOICEMAIL = re.compile(r"V\d+")          # IP Office voicemail/conference channels (FORMATS.md §1)
ANSWERED, MISSED_DIRECT, MISSED_TRANSFERRED, ELSEWHERE = "answered", "missed_direct", "missed_transferred", \
    "answered_elsewhere"
_RANK = {ANSWERED: 3, MISSED_DIRECT: 2, MISSED_TRANSFERRED: 2, ELSEWHERE: 1}
BY = ("extension", "person")


@dataclass(frozen=True, slots=True)
class Ring:
    """One leg of an incoming call as this report needs it: when it began ringing (epoch s, on the call's
    timeline), for how long, whether it was answered, and at which extension ("" = none)."""
    at: int
    ring_s: int
    answered: bool
    extension: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one call was for each extension it rang: {extension: (outcome, ring seconds there)}, and for
    the caller: missed None/"direct"/"transferred", and how long the lost caller waited (0 unless missed)."""
    per_extension: dict[str, tuple[str, int]]
    missed: str | None
    wait_s: int


def _union(spans: Iterable[tuple[int, int]]) -> int:
    total, end = 0, None
    for begin, finish in sorted(spans):
        if end is None or begin >= end:
            total, end = total + finish - begin, finish
        elif finish > end:
            total, end = total + finish - end, finish
    return total


def outcome(rings: list[Ring], voicemail: re.Pattern = VOICEMAIL) -> Outcome:
    """The outcome of one logical call from its rings, in PBX order (the module docstring's rule)."""
    def person(r: Ring) -> bool:
        return bool(r.extension) and not voicemail.fullmatch(r.extension)
    phases: list[list[Ring]] = [[]]
    answered_at: int | None = None
    for r in sorted(rings, key=lambda r: r.at):   # stable: PBX order among legs that began together
        if answered_at is not None and r.at > answered_at:
            phases.append([])
            answered_at = None
        phases[-1].append(r)
        if r.answered and person(r):
            answered_at = r.at + r.ring_s if answered_at is None else min(answered_at, r.at + r.ring_s)
    last = phases[-1]
    offers = [r for r in last if person(r)]
    missed = None
    if offers and not any(r.answered for r in offers):
        missed = "direct" if len(phases) == 1 else "transferred"
    per: dict[str, tuple[str, int]] = {}
    for r in rings:
        if person(r):
            per.setdefault(r.extension, (ELSEWHERE, 0))
            if r.answered:
                per[r.extension] = (ANSWERED, 0)
    if missed:
        kind = MISSED_DIRECT if missed == "direct" else MISSED_TRANSFERRED
        for r in offers:
            state, ring = per[r.extension]
            if state != ANSWERED:
                per[r.extension] = (kind, ring + r.ring_s)
    wait = _union((r.at, r.at + r.ring_s) for r in last) if missed else 0
    return Outcome(per, missed, wait)


def timeline(legs: list[tuple[int, int, int, bool, str]], segments: bool) -> list[Ring]:
    """Rings from legs (start_utc, ring_s, talk_s, answered, extension) in PBX order. Segments (IP Office)
    all carry the call's start and follow each other: each begins where the previous one ended."""
    out, clock = [], None
    for start, ring, talk, answered, ext in legs:
        at = start if not segments or clock is None else clock
        out.append(Ring(at, ring, bool(answered), ext.strip()))
        clock = at + ring + talk
    return out


@dataclass(slots=True)
class MissedRow:
    """One extension or person (or the totals, key "total"): calls offered and what became of them."""
    key: str                            # the extension, the person's directory id, or "ext:NNN" unattributed
    name: str = ""                      # the person's name ("" for an unattributed extension)
    extensions: list[str] = field(default_factory=list)
    offered: int = 0
    answered: int = 0
    answered_elsewhere: int = 0
    missed_direct: int = 0
    missed_transferred: int = 0
    ring_missed_s: int = 0              # sum of the rings before the caller gave up, over the missed calls
    branch: str | None = None           # on a central: the branch box ("" = this box's own); None elsewhere

    @property
    def missed(self) -> int:
        return self.missed_direct + self.missed_transferred

    @property
    def answer_rate(self) -> float | None:
        """answered / offered (None when nothing was offered)."""
        return self.answered / self.offered if self.offered else None

    @property
    def avg_ring_abandon_s(self) -> float | None:
        """Mean seconds it rang (here; for the totals: the caller's wait) before a missed call was lost."""
        return self.ring_missed_s / self.missed if self.missed else None

    def add(self, state: str, ring_s: int) -> None:
        self.offered += 1
        if state == ANSWERED:
            self.answered += 1
        elif state == ELSEWHERE:
            self.answered_elsewhere += 1
        else:
            self.missed_direct += state == MISSED_DIRECT
            self.missed_transferred += state == MISSED_TRANSFERRED
            self.ring_missed_s += ring_s

    def to_dict(self) -> dict:
        rate, ring = self.answer_rate, self.avg_ring_abandon_s
        return ({} if self.branch is None else {"branch": self.branch}) | {
                "key": self.key, "name": self.name, "extensions": self.extensions, "offered": self.offered,
                "answered": self.answered, "answered_elsewhere": self.answered_elsewhere,
                "missed_direct": self.missed_direct, "missed_transferred": self.missed_transferred,
                "missed": self.missed, "answer_rate": None if rate is None else round(rate, 4),
                "avg_ring_abandon_s": None if ring is None else round(ring, 1)}


@dataclass(slots=True)
class MissedReport:
    """Rows (most missed first) and the totals over logical calls."""
    by: str
    rows: list[MissedRow]
    total: MissedRow

    COLUMNS = ("key", "name", "extensions", "offered", "answered", "answered_elsewhere", "missed_direct",
               "missed_transferred", "missed", "answer_rate", "avg_ring_abandon_s")

    def to_dict(self) -> dict:
        return {"by": self.by, "rows": [r.to_dict() for r in self.rows], "total": self.total.to_dict()}

    def table(self) -> tuple[list[str], list[list]]:
        """Columns and rows (totals last) for CSV/PDF output; on a central the branch box first."""
        boxes = any(r.branch is not None for r in self.rows)
        rows = [([] if not boxes or r.branch is not None else [""])
                + [(", ".join(v) if isinstance(v, list) else v) for v in r.to_dict().values()]
                for r in self.rows + [self.total]]
        return (["branch"] if boxes else []) + list(self.COLUMNS), rows


def _segments(driver: str, cache: dict[str, bool]) -> bool:
    """Does the driver print a call's legs as consecutive segments with the call's start (LEGS_ARE_SEGMENTS)?"""
    if driver not in cache:
        try:
            cache[driver] = registry.load(driver).LEGS_ARE_SEGMENTS
        except registry.UnknownDriver:
            cache[driver] = False
    return cache[driver]


def _calls(user: Account | None, pbx_tenant: str, since: int, until: int, days: list[int] | None = None):
    """(call id, start, tenant, driver, utc offset, [legs]) of the incoming calls the user may see (None: every
    call), oldest first; `days`: only the calls of those local days."""
    C, L = store.Call, store.Leg
    q = (L.select(C.id, C.start_utc, C.tenant, C.driver, C.utc_offset, L.start_utc, L.ring_s, L.talk_s, L.answered,
                  L.extension)
         .join(C, on=(L.call_id == C.id))
         .where(C.direction == "in", C.start_utc >= since, C.start_utc < until)
         .order_by(C.start_utc, C.id, L.id))
    if user is not None:
        q = q.where(scope.visible(user, pbx_tenant))
    if days is not None:
        q = q.where(((C.start_utc + C.utc_offset) / 86400).in_(days))
    current, legs = None, []
    for cid, start, tenant, driver, offset, *leg in store.db.execute(q):   # raw rows: peewee's conversion is slow
        if current is not None and current[0] != cid:
            yield (*current, legs)
            legs = []
        current = (cid, start, tenant, driver, offset)
        legs.append(tuple(leg))
    if current is not None:
        yield (*current, legs)


def _ordered(legs: list[tuple], segments: bool) -> list[tuple]:
    return legs if segments else sorted(legs, key=lambda leg: leg[0])   # stable: id order among equal starts


def _in_scope(user: Account) -> Callable[[directory.Attribution | None], bool]:
    """Which rows (extensions by their owner at the call's time) the user may see: the rule of
    scope.visible, applied to each extension a visible call rang (a call can ring people outside it)."""
    basis = scope.basis(user)
    if basis in ("all", "tenant"):
        return lambda a: True
    reach = scope.reach(user) if basis == "person" else None
    return reach.accepts if reach is not None else (lambda a: False)


class Tally:
    """The report's rows and totals, fed call by call (`call`) or with a day's sums of one extension (`group`, from
    the roll-ups): the same rule either way. A row's name is its owner's at its first call (earliest start)."""

    def __init__(self, by: str, pbx_tenant: str, allowed: Callable[[directory.Attribution | None], bool]):
        self.by, self.pbx_tenant, self.allowed = by, pbx_tenant, allowed
        self.indexes: dict[str, directory.Index | None] = {}
        self.rows: dict[str, MissedRow] = {}
        self.first: dict[str, tuple[int, int]] = {}
        self.total = MissedRow("total")

    def index(self, tenant: str) -> directory.Index | None:
        code = tenant or self.pbx_tenant
        if code not in self.indexes:
            tid = sd.tenant_id(code)
            self.indexes[code] = directory.Index(tid) if tid is not None else None
        return self.indexes[code]

    def key(self, ext: str, who: directory.Attribution | None) -> str:
        if self.by == "extension":
            return ext
        return who.external_id if who is not None else f"ext:{ext}"

    def row(self, key: str, who: directory.Attribution | None, ext: str, at: tuple[int, int]) -> MissedRow:
        row = self.rows.get(key)
        if row is None:
            row = self.rows[key] = MissedRow(key, who.name if who else "")
            self.first[key] = at
        elif at < self.first[key]:
            row.name, self.first[key] = who.name if who else "", at
        if ext not in row.extensions:
            row.extensions.append(ext)
        return row

    def call(self, cid: int, start: int, tenant: str, per_extension: dict[str, tuple[str, int]], missed: str | None,
             wait_s: int, totals: bool = True) -> None:
        """One call's outcome per extension (Outcome.per_extension) and for the caller; `totals`: count it in the
        totals too (False when the totals come from the roll-ups)."""
        index = self.index(tenant)
        per_key: dict[str, tuple[str, int]] = {}
        for ext, (state, ring) in per_extension.items():
            who = index.attribute(ext, start) if index is not None else None
            if not self.allowed(who):
                continue
            key = self.key(ext, who)
            self.row(key, who, ext, (start, cid))
            old = per_key.get(key)   # a person whose two phones rang: the best outcome, the longest ring
            if old is None or _RANK[state] > _RANK[old[0]] or (state == old[0] and ring > old[1]):
                per_key[key] = (state, ring)
        for key, (state, ring) in per_key.items():
            self.rows[key].add(state, ring)
        if per_key and totals:
            self.total.add({None: ANSWERED, "direct": MISSED_DIRECT, "transferred": MISSED_TRANSFERRED}[missed],
                           wait_s)

    def group(self, first_start: int, tenant: str, ext: str, who: directory.Attribution | None, state: str, calls: int,
              ring_s: int) -> None:
        """`calls` calls of one extension with one outcome, attributed to `who` (the owner throughout), the first
        at `first_start`, their rings summing to ring_s (a scope that sees every row)."""
        row = self.row(self.key(ext, who), who, ext, (first_start, -1))
        row.offered += calls
        if state == ANSWERED:
            row.answered += calls
        elif state == ELSEWHERE:
            row.answered_elsewhere += calls
        else:
            row.missed_direct += calls if state == MISSED_DIRECT else 0
            row.missed_transferred += calls if state == MISSED_TRANSFERRED else 0
            row.ring_missed_s += ring_s

    def report(self) -> MissedReport:
        ordered = sorted(self.rows.values(), key=lambda r: (-r.missed, -r.offered, r.key))
        for r in ordered:
            r.extensions.sort()
        return MissedReport(self.by, ordered, self.total)


def call_outcomes(user: Account | None, pbx_tenant: str, since: int, until: int, voicemail: re.Pattern = VOICEMAIL,
                  days: list[int] | None = None):
    """(call id, start, tenant, utc offset, Outcome) of the incoming calls with start in [since, until) `user` may
    see (None: all), oldest first, from their legs (`days`: only those local days of the calls)."""
    seg_cache: dict[str, bool] = {}
    for cid, start, tenant, driver, offset, legs in _calls(user, pbx_tenant, since, until, days):
        segments = _segments(driver, seg_cache)
        yield cid, start, tenant, offset, outcome(timeline(_ordered(legs, segments), segments), voicemail)


def raw_missed(user: Account, pbx_tenant: str, since: int, until: int, by: str = "extension",
               voicemail: re.Pattern = VOICEMAIL) -> MissedReport:
    """missed(), from the calls' legs one by one."""
    if by not in BY:
        raise ValueError(f"by {by!r}: expected one of {', '.join(BY)}")
    tally = Tally(by, pbx_tenant, _in_scope(user))
    for cid, start, tenant, _offset, result in call_outcomes(user, pbx_tenant, since, until, voicemail):
        tally.call(cid, start, tenant, result.per_extension, result.missed, result.wait_s)
    return tally.report()


def missed(user: Account, pbx_tenant: str, since: int, until: int, by: str = "extension",
           voicemail: re.Pattern = VOICEMAIL, wait: bool = True) -> MissedReport:
    """Missed calls of the incoming calls with start in [since, until) that `user` may see, one row per
    extension (by="extension") or per person with all their extensions (by="person", DIR-3; extensions
    without an owner then stay rows of their own, key "ext:NNN"). Read from the offer roll-ups
    (appliance/reports/offers.py) when they are built; `wait=False` (the web): rollup.Preparing instead of
    reading many calls one by one while they are being built."""
    if by not in BY:
        raise ValueError(f"by {by!r}: expected one of {', '.join(BY)}")
    if voicemail is VOICEMAIL:   # the roll-ups hold the outcomes by the default voicemail rule
        from appliance.reports import offers   # noqa: PLC0415 (offers builds on this module)
        report = offers.missed(user, pbx_tenant, since, until, by, wait)
        if report is not None:
            return report
    return raw_missed(user, pbx_tenant, since, until, by, voicemail)
