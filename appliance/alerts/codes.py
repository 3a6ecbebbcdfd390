"""PBX cause/error codes (REP-8): gathered per leg, reported by time, location and type, and a rise alerted.

Drivers keep causes in their extra fields, which are not stored (parse stays fast), and declare which fields
(CAUSES, read through the registry); the alert pass re-reads the journal entry of each new leg of a driver that
has causes and keeps the abnormal ones in `leg_code`.
A code rises sharply when its count in the last hour is above max(factor x baseline, floor), the baseline
being its mean count in the same hour of the week over the previous baseline weeks (local time); it clears
when the count falls to half that threshold or less.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Iterable, cast

from peewee import fn

from appliance import config, registry, store
from appliance.alerts.state import ENGLISH, Readers, Send, commit, said, watch
from appliance.directory import organisation as directory
from appliance.localtime import zone
from appliance.reports import listing as output
from appliance.store import alerts as sa
from appliance.store import db
from appliance.store import directory as sd
from drivers._common import Causes

log = logging.getLogger(__name__)
# ITU-T Q.850 cause values: a standard, not a vendor's table, for every driver whose CAUSES report "q850"
Q850 = {"1": "unallocated number", "3": "no route to destination", "17": "user busy", "18": "no user responding",
        "19": "no answer", "21": "call rejected", "27": "destination out of order", "28": "invalid number format",
        "31": "normal, unspecified", "34": "no circuit available", "38": "network out of order",
        "41": "temporary failure", "42": "switching equipment congestion", "44": "requested channel not available",
        "47": "resource unavailable", "58": "bearer capability not available", "88": "incompatible destination",
        "102": "recovery on timer expiry", "127": "interworking, unspecified"}
SCAN_LIMIT = 5000            # legs examined per pass (about 1 s); a backlog is caught up over the next passes
BUCKETS = ("hour", "day", "week", "month", "all")
DIMS = ("code", "driver", "trunk", "branch", "extension", "tenant")


def causes(driver: str) -> Causes | None:
    """Where the driver keeps a leg's cause (its CAUSES); None when it gives none or is no driver (any more)."""
    try:
        return registry.load(driver).CAUSES
    except registry.UnknownDriver:
        return None


def code_of(driver: str, extra: Mapping[str, str]) -> tuple[str, str] | None:
    """(code type, code) of a leg's extra fields, or None when its driver gives none or it is a normal one."""
    return _code(causes(driver), extra)


def _code(spec: Causes | None, extra: Mapping[str, str]) -> tuple[str, str] | None:
    if spec is None:
        return None
    for name in spec.fields:
        value = extra.get(name, "").strip()
        if value and value not in spec.normal:
            return spec.code_type, value
    return None


def describe(code_type: str, code: str) -> str:
    return Q850.get(code, "") if code_type == "q850" else code.replace("_", " ").lower()


def _start_cursor(now: int, weeks: int) -> int:
    """The first pass starts with the legs of the baseline weeks (a call's id is its first leg's)."""
    C = store.Call
    first = C.select(C.id).where(C.start_utc >= now - (weeks + 1) * 7 * 86400).order_by(C.start_utc).first()
    return first.id - 1 if first else (store.Leg.select(store.Leg.id).order_by(store.Leg.id.desc()).scalar() or 0)


def gather(cfg: config.Config, journal_dir: Path, now: int, weeks: int, limit: int = SCAN_LIMIT) -> int:
    """Store the abnormal codes of up to `limit` legs stored since the last pass; the number of codes found."""
    pos = sa.cursor("codes")
    pos = _start_cursor(now, weeks) if pos is None else pos
    L, C = store.Leg, store.Call
    rows = list(L.select(L.id, L.driver, L.start_utc, L.trunk, L.extension, L.jseg, L.joff, C.tenant)
                .join(C, on=(C.id == L.call_id)).where(L.id > pos).order_by(L.id).limit(limit).objects())
    extra = output.extra_reader(journal_dir, lambda name: registry.driver_parser(cfg, name)[:2])
    specs: dict[str, Causes | None] = {}   # looked up once per driver and pass
    found = []
    for leg in rows:
        if leg.driver not in specs:
            specs[leg.driver] = causes(leg.driver)
        if specs[leg.driver] is not None:
            code = _code(specs[leg.driver], extra(leg))
            if code:
                found.append({"leg_id": leg.id, "at_utc": leg.start_utc, "driver": leg.driver, "code_type": code[0],
                              "code": code[1], "trunk": leg.trunk, "extension": leg.extension,
                              "tenant": getattr(leg, "tenant")})   # joined from the call
    with db.atomic("IMMEDIATE"):
        for i in range(0, len(found), 500):
            sa.LegCode.insert_many(found[i:i + 500]).on_conflict_replace().execute()
        if rows:
            sa.set_cursor("codes", rows[-1].id)
        elif sa.cursor("codes") is None:
            sa.set_cursor("codes", pos)
    return len(found)


def counts(since: int, until: int) -> dict[tuple[str, str], int]:
    """{(code type, code): occurrences} of legs that started in [since, until)."""
    K = sa.LegCode
    q = (K.select(K.code_type, K.code, fn.COUNT(K.leg_id)).where(K.at_utc >= since, K.at_utc < until)
         .group_by(K.code_type, K.code).tuples())
    return {(row[0], row[1]): row[2] for row in cast(Iterable[tuple[str, str, int]], q)}


def week_ago(now: int, tz: tzinfo, weeks: int) -> int:
    """The same local wall time `weeks` weeks before `now` (so the hour of the week survives a DST change)."""
    local = datetime.fromtimestamp(now, tz)
    return int((local - timedelta(days=7 * weeks)).timestamp())


def rises(now: int, tz: tzinfo, factor: float, floor: int, weeks: int) -> dict[tuple[str, str], tuple[int, float]]:
    """{code: (count in the last hour, threshold)} for every code seen in the last hour or the baseline."""
    current = counts(now - 3600, now)
    past = []
    for w in range(1, weeks + 1):
        t = week_ago(now, tz, w)
        past.append(counts(t - 3600, t))
    out = {}
    for code in set(current).union(*past):
        mean = sum(p.get(code, 0) for p in past) / weeks
        out[code] = (current.get(code, 0), max(factor * mean, float(floor)))
    return out


def check(cfg: config.Config, cfg_alerts, data_dir: Path, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    """Gather new legs' codes, then raise or clear each code's rise; the number of actions queued."""
    weeks = cfg_alerts.code_baseline_weeks
    gather(cfg, data_dir / "journal", now, weeks)
    tz = zone(cfg.section("pbx").timezone)
    seen = rises(now, tz, cfg_alerts.code_rise_factor, cfg_alerts.code_rise_floor, weeks)
    C = sa.AlertCondition
    for row in C.select(C.key).where(C.key.startswith("code:"), C.raised == True):  # noqa: E712
        kind, _, code = row.key[5:].partition(":")
        seen.setdefault((kind, code), (0, float(cfg_alerts.code_rise_floor)))
    queued = 0
    for (kind, code), (count, threshold) in sorted(seen.items()):
        key = f"code:{kind}:{code}"
        cond = C.get_or_none(C.key == key)
        bad = count > threshold if not (cond and cond.raised) else count * 2 > threshold
        if cond is None and not bad:
            continue   # keep the table to the codes that were ever raised
        name = f"{code} ({describe(kind, code)})" if describe(kind, code) else code
        n = said(f"{kind} {code}", "code_rise", "code_ok", count, name=name, count=count, threshold=f"{threshold:.0f}")
        with db.atomic("IMMEDIATE"):
            queued += commit(watch(cfg_alerts, key, bad, now, n, readers=readers), sender)
    return queued


def _bucket(t: int, tz: tzinfo, by: str) -> str:
    d = datetime.fromtimestamp(t, tz)
    if by == "hour":
        return d.strftime("%Y-%m-%dT%H:00")
    if by == "day":
        return d.date().isoformat()
    if by == "week":
        y, w, _ = d.isocalendar()
        return f"{y:04d}-W{w:02d}"
    return d.strftime("%Y-%m") if by == "month" else "all"


def report(since: int, until: int, tz: tzinfo, by: str = "day", group: tuple[str, ...] = ("code",),
           tenant: str | None = None, pbx_tenant: str = "default") -> list[dict]:
    """Abnormal codes of legs started in [since, until), counted per time bucket and the `group` dimensions
    (code, driver, trunk, branch: the extension's person's branch at the call's time, extension, tenant).
    Codes of calls stored without a tenant code belong to `pbx_tenant` ([pbx] tenant)."""
    if by not in BUCKETS or not group or any(g not in DIMS for g in group):
        raise ValueError(f"codes report: by is one of {', '.join(BUCKETS)}, group of {', '.join(DIMS)}")
    K = sa.LegCode
    q = K.select().where(K.at_utc >= since, K.at_utc < until)
    if tenant is not None:
        q = q.where(K.tenant == tenant)
    indexes: dict[str, directory.Index | None] = {}
    totals: dict[tuple, int] = {}
    for row in q.iterator():
        parts = {"code": (row.code_type, row.code), "driver": row.driver, "trunk": row.trunk,
                 "extension": row.extension, "tenant": row.tenant}
        if "branch" in group:
            if row.tenant not in indexes:
                tid = sd.tenant_id(row.tenant or pbx_tenant)
                indexes[row.tenant] = directory.Index(tid) if tid is not None else None
            index = indexes[row.tenant]
            who = index.attribute(row.extension, row.at_utc) if index is not None else None
            parts["branch"] = (who.branch if who else None) or ""
        key = (_bucket(row.at_utc, tz, by),) + tuple(parts[g] for g in group)
        totals[key] = totals.get(key, 0) + 1
    out = []
    for key, n in sorted(totals.items()):
        item: dict = {"period": key[0]}
        for g, v in zip(group, key[1:]):
            if g == "code":
                item.update(code_type=v[0], code=v[1], description=describe(*v))
            else:
                item[g] = v
        out.append({**item, "count": n})
    return out
