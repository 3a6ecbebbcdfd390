"""Trunk traffic by trunk group and trunk, and problem trunks against their own baseline (REP-7).

A trunk group is the trunk's provider in the directory at the call's time (`callbox directory trunks`);
a trunk the directory does not know is in the group "" (shown as "(no provider)"). Calls without a
trunk (internal calls, voicemail) are no trunk traffic. Problem rules: `Rules` and README "Trunk traffic".
"""
from __future__ import annotations

import copy
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import tzinfo
from decimal import Decimal

from appliance import store
from appliance.access import scope
from appliance.access.users import Account
from appliance.reports import engine
from appliance.reports.concurrency import Traffic
from appliance.store.rollups import SHORT_S
from appliance.store import directory as sd
from appliance.store import versioned

log = logging.getLogger(__name__)
MICRO = Decimal(1_000_000)
CENT = Decimal("0.01")


class TrunkGroups:
    """The directory's trunks of every tenant in memory: a call's (tenant, trunk, start) -> provider."""

    def __init__(self, pbx_tenant: str):
        self.pbx_tenant = pbx_tenant
        codes = {t.id: t.code for t in sd.Tenant.select()}
        self.rows: dict[tuple[str, str], list[sd.Trunk]] = {}
        for row in sd.Trunk.select():
            self.rows.setdefault((codes.get(row.tenant_id, ""), row.trunk), []).append(row)

    def _row(self, tenant: str, trunk: str, at: int) -> sd.Trunk | None:
        for row in self.rows.get((tenant or self.pbx_tenant, trunk), ()):
            if (row.valid_from is None or row.valid_from <= at) and (row.valid_to is None or at < row.valid_to):
                return row
        return None

    def __call__(self, tenant: str, trunk: str, at: int) -> str:
        row = self._row(tenant, trunk, at)
        return row.provider if row is not None else ""

    def name(self, tenant: str, trunk: str, at: int) -> str:
        row = self._row(tenant, trunk, at)
        return row.description if row is not None else ""

    def label(self, tenants: set[str], trunk: str, group: str, until: int) -> str:
        """A report row's trunk name: the description of the directory's latest entry of the trunk (of the first
        of its calls' tenants that has one) with that provider, begun before the report's end."""
        for tenant in sorted(tenants):
            rows = [r for r in self.rows.get((tenant or self.pbx_tenant, trunk), ())
                    if r.provider == group and (r.valid_from is None or r.valid_from < until)]
            if rows:
                return max(rows, key=lambda r: -1 if r.valid_from is None else r.valid_from).description
        return ""


@dataclass(slots=True)
class TrunkRow:
    """One trunk, one group's subtotal (trunk "*") or the total (group and trunk "*")."""
    group: str
    trunk: str
    name: str = ""
    calls: int = 0
    calls_in: int = 0
    calls_out: int = 0
    answered: int = 0
    talk_s: int = 0
    ring_s: int = 0
    short: int = 0                     # answered calls shorter than Rules.short_s
    cost: dict[str, Decimal] = field(default_factory=dict)   # currency -> exact sum (outgoing, priced)
    share: float = 0.0                 # of all the period's trunk calls (of this traffic)
    branch: str | None = None          # on a central: the branch box ("" = this box's own); None elsewhere

    def add(self, direction: str, answered: bool, ring: int, talk: int, cost: str | None, currency: str,
            short_s: int) -> None:
        self.calls += 1
        self.calls_in += direction == "in"
        self.calls_out += direction == "out"
        self.answered += bool(answered)
        self.talk_s += talk
        self.ring_s += ring
        self.short += bool(answered) and talk < short_s
        if cost not in (None, ""):
            self.cost[currency] = self.cost.get(currency, Decimal(0)) + Decimal(cost)

    def merge(self, other: TrunkRow) -> None:
        for name in ("calls", "calls_in", "calls_out", "answered", "talk_s", "ring_s", "short"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for cur, amount in other.cost.items():
            self.cost[cur] = self.cost.get(cur, Decimal(0)) + amount

    def to_dict(self) -> dict:
        return ({} if self.branch is None else {"branch": self.branch}) | {
                "group": self.group, "trunk": self.trunk, "name": self.name, "calls": self.calls,
                "calls_in": self.calls_in, "calls_out": self.calls_out, "answered": self.answered,
                "talk_s": self.talk_s, "ring_s": self.ring_s, "short": self.short,
                "cost": {c: str(v) for c, v in sorted(self.cost.items())}, "share": round(self.share, 4)}


@dataclass(slots=True)
class TrunkReport:
    """Per group: its subtotal row (trunk "*") then its trunks, groups by calls; the total last."""
    rows: list[TrunkRow]
    total: TrunkRow

    COLUMNS = ("group", "trunk", "name", "calls", "calls_in", "calls_out", "answered", "talk_s", "ring_s",
               "short", "cost", "share")

    def to_dict(self) -> dict:
        return {"rows": [r.to_dict() for r in self.rows], "total": self.total.to_dict()}

    def table(self) -> tuple[list[str], list[list]]:
        """Columns and rows (total last) for CSV/PDF output; cost as "12.30 TRY" (several: "; "); on a central the
        branch box first."""
        boxes = any(r.branch is not None for r in self.rows)
        out = []
        for r in self.rows + [self.total]:
            d = ({"branch": ""} if boxes else {}) | r.to_dict()
            d["cost"] = "; ".join(f"{v} {c}" for c, v in d["cost"].items())
            out.append(list(d.values()))
        return (["branch"] if boxes else []) + list(self.COLUMNS), out


@dataclass(frozen=True, slots=True)
class Rules:
    """When a trunk is a problem. The baseline is the `baseline_periods` periods of the same length (in
    seconds) just before the one reported, less those in which the box recorded no trunk call at all (not
    installed yet, or down); with none left only short calls are judged. A count outside mean ± max(sd_factor
    × standard deviation, band_share × mean, band_min calls) is "high"/"low"; no call while the trunk carried
    calls in at least half the baseline periods is "silent" (instead of "low"); a share of all trunk calls
    that moved more than share_points from the baseline share, for a trunk with at least band_min calls in
    the period or per baseline period, is "share"; at least short_min answered calls shorter than short_s
    making at least short_share of its answered calls is "short_calls"."""
    baseline_periods: int = 4
    sd_factor: float = 2.0
    band_share: float = 0.5
    band_min: int = 5
    share_points: float = 0.15
    short_s: int = 10
    short_min: int = 10
    short_share: float = 0.3


def _rows(user: Account, pbx_tenant: str, since: int, until: int, traffic: Traffic) -> Iterator[tuple]:
    C = store.Call
    q = (C.select(C.start_utc, C.tenant, C.trunk, C.direction, C.answered, C.ring_s, C.talk_s, C.cost, C.currency)
         .where(C.start_utc >= since, C.start_utc < until, C.trunk != "", scope.visible(user, pbx_tenant)))
    return traffic.where(q).tuples().iterator()


def trunk_traffic(user: Account, pbx_tenant: str, since: int, until: int, traffic: Traffic = Traffic(),
                  rules: Rules = Rules(), groups: TrunkGroups | None = None, tz: tzinfo | None = None,
                  wait: bool = True) -> TrunkReport:
    """Count, duration and cost per trunk and trunk group, side by side, for the calls with start in
    [since, until) that `user` may see. From the roll-ups through the report engine (whole local days of `tz`
    read the trunk cube; other times, a number class or another short-call rule read the calls, grouped in SQL):
    the same figures as the calls give one by one (`raw_trunk_traffic`). wait=False: rollup.Preparing when the
    roll-ups of the range are not built yet. Computed once per change of the database (the page reloaded, its
    CSV; appliance/store/versioned.py): `groups` must be TrunkGroups(pbx_tenant) of this database; callers get a
    copy."""
    kept = versioned.cached("trunks.traffic", (user, pbx_tenant, since, until, traffic, rules, str(tz)),
                            lambda: _trunk_traffic(user, pbx_tenant, since, until, traffic, rules,
                                                   groups or TrunkGroups(pbx_tenant), tz, wait))
    return copy.deepcopy(kept)


def _spec(dims: tuple[str, ...], traffic: Traffic) -> engine.Spec:
    filters = {k: [v] for k, v in (("direction", traffic.direction), ("kind", traffic.kind), ("trunk", traffic.trunk),
                                   ("trunk_group", traffic.group)) if v is not None}
    return engine.Spec(dims, ("calls",), "custom", filters=filters)


def _trunk_traffic(user: Account, pbx_tenant: str, since: int, until: int, traffic: Traffic, rules: Rules,
                   groups: TrunkGroups, tz: tzinfo | None, wait: bool) -> TrunkReport:
    if rules.short_s != SHORT_S:   # the cubes count calls shorter than SHORT_S only
        return raw_trunk_traffic(user, pbx_tenant, since, until, traffic, rules, groups)
    acc, _source = engine.sums(_spec(("trunk_group", "trunk", "tenant", "currency"), traffic),
                               engine.window_of(since, until, tz), user, pbx_tenant, wait)
    trunks: dict[tuple[str, str], TrunkRow] = {}
    tenants: dict[tuple[str, str], set[str]] = {}
    for (group, trunk, tenant, currency), s in acc.items():
        if not trunk:   # internal calls, voicemail: no trunk traffic
            continue
        row = trunks.get((group, trunk))
        if row is None:
            row = trunks[group, trunk] = TrunkRow(group, trunk)
        tenants.setdefault((group, trunk), set()).add(tenant)
        row.calls += s["calls"]
        row.calls_in += s["calls_in"]
        row.calls_out += s["calls_out"]
        row.answered += s["answered"]
        row.talk_s += s["talk"]
        row.ring_s += s["ring"]
        row.short += s["short"]
        if s["priced"]:
            row.cost[currency] = row.cost.get(currency, Decimal(0)) + Decimal(s["cost_micro"]) / MICRO
    return _report(trunks, tenants, groups, until)


def _report(trunks: dict[tuple[str, str], TrunkRow], tenants: dict[tuple[str, str], set[str]], groups: TrunkGroups,
            until: int) -> TrunkReport:
    """Subtotals per group, the total, shares, names and exact costs of the trunk rows."""
    for key, row in trunks.items():
        row.name = groups.label(tenants[key], row.trunk, row.group, until)
        row.cost = {c: _exact(v) for c, v in row.cost.items()}
    return assemble(list(trunks.values()))


def assemble(trunks: list[TrunkRow]) -> TrunkReport:
    """The report of these trunk rows: a subtotal per (branch box and) group before its trunks, the total, shares."""
    total = TrunkRow("*", "*")
    subtotals: dict[tuple, TrunkRow] = {}
    for row in trunks:
        subtotals.setdefault((row.branch, row.group), TrunkRow(row.group, "*", branch=row.branch)).merge(row)
        total.merge(row)
    out = []
    for sub in sorted(subtotals.values(), key=lambda r: (-r.calls, r.branch or "", r.group)):
        members = sorted((r for r in trunks if (r.branch, r.group) == (sub.branch, sub.group)),
                         key=lambda r: (-r.calls, r.trunk))
        out += [sub] + members
    for row in out + [total]:
        row.share = row.calls / total.calls if total.calls else 0.0
    return TrunkReport(out, total)


def _exact(d: Decimal) -> Decimal:
    """A cost as the report engine writes it: cents when it has no finer part, else every digit it has."""
    return d.quantize(CENT) if d == d.quantize(CENT) else d.normalize()


def raw_trunk_traffic(user: Account, pbx_tenant: str, since: int, until: int, traffic: Traffic = Traffic(),
                      rules: Rules = Rules(), groups: TrunkGroups | None = None) -> TrunkReport:
    """trunk_traffic from the calls one by one (the reference the roll-up path is tested against; any
    short-call rule)."""
    groups = groups or TrunkGroups(pbx_tenant)
    trunks: dict[tuple[str, str], TrunkRow] = {}
    tenants: dict[tuple[str, str], set[str]] = {}
    for start, tenant, trunk, direction, answered, ring, talk, cost, currency in _rows(
            user, pbx_tenant, since, until, traffic):
        group = groups(tenant, trunk, start)
        if traffic.group is not None and group != traffic.group:
            continue
        row = trunks.get((group, trunk))
        if row is None:
            row = trunks[group, trunk] = TrunkRow(group, trunk)
        tenants.setdefault((group, trunk), set()).add(tenant)
        row.add(direction, answered, ring, talk, cost, currency, rules.short_s)
    return _report(trunks, tenants, groups, until)


@dataclass(frozen=True, slots=True)
class Problem:
    """A trunk outside its normal band: what (high, low, silent, share, short_calls), the figures, why."""
    group: str
    trunk: str
    problem: str
    value: float
    expected: float
    detail: str                 # in English, for the command's output; the web words it from `facts`
    facts: tuple = ()           # (name, number) pairs that `detail` is made of
    branch: str | None = None   # on a central: the branch box ("" = this box's own); None elsewhere

    def fact(self, name: str):
        return dict(self.facts).get(name)

    def to_dict(self) -> dict:
        return ({} if self.branch is None else {"branch": self.branch}) | {
                "group": self.group, "trunk": self.trunk, "problem": self.problem, "value": round(self.value, 4),
                "expected": round(self.expected, 4), "detail": self.detail}


def _counts(user, pbx_tenant, since, until, traffic, periods: int, groups: TrunkGroups, tz: tzinfo | None = None,
            wait: bool = True) -> dict:
    """{(group, trunk): [calls in period -N, ..., -1, 0]} (the last is the reported period), each period a
    report of the engine (from the trunk cube when it is whole local days)."""
    length = until - since
    first = since - periods * length
    out: dict[tuple[str, str], list[int]] = {}
    for i in range(periods + 1):
        acc, _source = engine.sums(_spec(("trunk_group", "trunk"), traffic),
                                   engine.window_of(first + i * length, first + (i + 1) * length, tz), user,
                                   pbx_tenant, wait)
        for (group, trunk), s in acc.items():
            if trunk:
                out.setdefault((group, trunk), [0] * (periods + 1))[i] += s["calls"]
    return out


def raw_counts(user, pbx_tenant, since, until, traffic, periods: int, groups: TrunkGroups) -> dict:
    """_counts from the calls one by one (the reference of the tests)."""
    length = until - since
    first = since - periods * length
    out: dict[tuple[str, str], list[int]] = {}
    for start, tenant, trunk, *_ in _rows(user, pbx_tenant, first, until, traffic):
        group = groups(tenant, trunk, start)
        if traffic.group is not None and group != traffic.group:
            continue
        out.setdefault((group, trunk), [0] * (periods + 1))[(start - first) // length] += 1
    return out


def _band_problems(group: str, trunk: str, history: list[int], rules: Rules) -> list[Problem]:
    base, now = history[:-1], history[-1]
    mean = sum(base) / len(base)
    sd = math.sqrt(sum((c - mean) ** 2 for c in base) / len(base))
    width = max(rules.sd_factor * sd, rules.band_share * mean, rules.band_min)
    carried = sum(1 for c in base if c > 0)
    band = f"baseline {mean:.1f} ± {width:.1f} calls per period over {len(base)} periods"
    facts = (("calls", now), ("mean", round(mean, 1)), ("width", round(width, 1)), ("periods", len(base)),
             ("carried", carried))
    if now == 0 and carried * 2 >= len(base) and carried > 0:
        return [Problem(group, trunk, "silent", 0, mean, f"no calls; it carried calls in {carried} of the "
                        f"{len(base)} periods before ({band})", facts)]
    if now > mean + width:
        return [Problem(group, trunk, "high", now, mean, f"{now} calls, above the normal band ({band})", facts)]
    if now < mean - width:
        return [Problem(group, trunk, "low", now, mean, f"{now} calls, below the normal band ({band})", facts)]
    return []


def problems(user: Account, pbx_tenant: str, since: int, until: int, traffic: Traffic = Traffic(),
             rules: Rules = Rules(), groups: TrunkGroups | None = None, tz: tzinfo | None = None,
             wait: bool = True) -> list[Problem]:
    """The trunks whose traffic in [since, until) is outside their normal band (`Rules`), by group and trunk.
    Trunks with no calls in the period nor in the baseline are not judged. Once per change of the database, as
    trunk_traffic."""
    if until <= since:
        raise ValueError("the range is empty: until must be after since")
    if rules.baseline_periods < 1:
        raise ValueError("baseline_periods must be at least 1")
    return list(versioned.cached("trunks.problems", (user, pbx_tenant, since, until, traffic, rules, str(tz)),
                                 lambda: _problems(user, pbx_tenant, since, until, traffic, rules,
                                                   groups or TrunkGroups(pbx_tenant), tz, wait)))


def _problems(user: Account, pbx_tenant: str, since: int, until: int, traffic: Traffic, rules: Rules,
              groups: TrunkGroups, tz: tzinfo | None, wait: bool) -> list[Problem]:
    counts = _counts(user, pbx_tenant, since, until, traffic, rules.baseline_periods, groups, tz, wait)
    return judge(counts, trunk_traffic(user, pbx_tenant, since, until, traffic, rules, groups, tz, wait), rules)


def judge(counts: dict, report: TrunkReport, rules: Rules) -> list[Problem]:
    """The problems of trunks with these counts per period ({(group, trunk): [calls of period -N .. 0]}) and this
    report of the period (its short calls)."""
    # Baseline periods without a single call are no evidence (the box was not yet recording, or down).
    recorded = [i for i in range(rules.baseline_periods) if any(h[i] for h in counts.values())]
    counts = {k: [h[i] for i in recorded] + [h[-1]] for k, h in counts.items()}
    total_now = sum(h[-1] for h in counts.values())
    total_base = sum(sum(h[:-1]) for h in counts.values())
    out: list[Problem] = []
    for (group, trunk), history in sorted(counts.items()) if recorded else ():
        out += _band_problems(group, trunk, history, rules)
        now, base = history[-1], sum(history[:-1])
        if total_now and max(now, base / len(recorded)) >= rules.band_min:
            share, base_share = now / total_now, base / total_base
            if abs(share - base_share) > rules.share_points:
                out.append(Problem(group, trunk, "share", share, base_share,
                                   f"{share:.0%} of the trunk calls, {base_share:.0%} in the baseline",
                                   (("share", round(share * 100)), ("baseline", round(base_share * 100)))))
    for row in report.rows:
        if row.trunk != "*" and row.short >= rules.short_min and row.short >= rules.short_share * row.answered:
            out.append(Problem(row.group, row.trunk, "short_calls", row.short / row.answered, rules.short_share,
                               f"{row.short} of {row.answered} answered calls under {rules.short_s} s",
                               (("short", row.short), ("answered", row.answered), ("seconds", rules.short_s))))
    return sorted(out, key=lambda p: (p.group, p.trunk, p.problem))
