"""Data-flow alerts (CAP-7): no data within business hours, PBX link down, parse failures, journal/flash full,
directory sync failing, calls stored unpriced because no tariff plan can be chosen, lines that fail to release.

Business hours are per weekday in the PBX's local time ([pbx] timezone, DST included); a source is silent when
the business-hours time since its newest line reaches [alerts] no_data_min. The newest line per source comes
from the alert pass's own walk over the journal (a cursor; each line is read once), so the parse stage is not
involved and a box whose parser is stuck still knows that data arrives.
"""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Iterable

from appliance import config, journal, store
from appliance.alerts.state import ENGLISH, Readers, Notice, Send, commit, said, watch
from appliance.alerts.texts import DirectoryText, Word, say
from appliance.ingest.parse import ref_id
from appliance.localtime import zone
from appliance.rating import plan_choice
from appliance.records import EVENT, Entry
from appliance.store import alerts as sa
from appliance.store import db
from appliance.store import directory as sd

log = logging.getLogger(__name__)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_LOOKBACK_S = 15 * 86400      # longer silences are long enough: [alerts] no_data_min is at most a week
SEED_LINES = 2000                # the first pass learns each source's newest line from the journal's tail
SCAN_LIMIT = 200000              # journal lines walked per pass (a backlog is caught up over passes)
JOURNAL_HYSTERESIS_PCT = 5
Schedule = tuple[tuple[tuple[int, int], ...], ...]   # per weekday (Monday first): (start, end) minutes of the day
_RANGE = re.compile(r"([01]?\d|2[0-4]):([0-5]\d)-([01]?\d|2[0-4]):([0-5]\d)")


def _days(word: str, where: str) -> list[int]:
    if word == "daily":
        return list(range(7))
    first, _, last = word.partition("-")
    if first not in DAYS or (last and last not in DAYS):
        raise config.ConfigError(f"{where}: {word!r} is not a day (mon..sun), a day range (mon-fri) or daily")
    a, b = DAYS.index(first), DAYS.index(last or first)
    return [(a + i) % 7 for i in range((b - a) % 7 + 1)]


def parse_schedule(text: str, where: str = "[alerts] business_hours") -> Schedule:
    """'mon-fri 08:00-12:30 13:30-18:00, sat 09:00-13:00' (or 'always') as minutes per weekday."""
    days: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    spec = text.strip().lower()
    if spec == "always":
        return tuple(((0, 1440),) for _ in DAYS)
    for entry in filter(None, (e.strip() for e in spec.split(","))):
        words = entry.split()
        if len(words) < 2:
            raise config.ConfigError(f"{where}: {entry!r}: expected DAYS HH:MM-HH:MM (e.g. mon-fri 08:00-18:00)")
        for word in words[1:]:
            m = _RANGE.fullmatch(word)
            start, end = (int(m[1]) * 60 + int(m[2]), int(m[3]) * 60 + int(m[4])) if m else (0, 0)
            if not m or not start < end <= 1440:
                raise config.ConfigError(f"{where}: {word!r} is not a time range HH:MM-HH:MM within one day "
                                         "(split one across midnight: sat 22:00-24:00, sun 00:00-06:00)")
            for d in _days(words[0], where):
                days[d].append((start, end))
    return tuple(tuple(sorted(d)) for d in days)


def parse_hours(text: str, where: str = "[alerts] business_hours") -> tuple[tuple[str, Schedule], ...]:
    """(source prefix, schedule) per line 'SOURCE_PREFIX = SCHEDULE', longest prefix first; * = any source."""
    out: dict[str, Schedule] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        prefix, sep, spec = line.rpartition("=")
        prefix = prefix.strip()
        if not sep or not prefix or prefix in out:
            raise config.ConfigError(f"{where}: line {n} {line!r}: expected SOURCE_PREFIX = SCHEDULE, each "
                                     "prefix once (* = every source)")
        out[prefix] = parse_schedule(spec, f"{where} line {n}")
    return tuple(sorted(out.items(), key=lambda kv: (kv[0] == "*", -len(kv[0]))))


def key_of(source: str, prefixes: tuple[str, ...]) -> str | None:
    """The business-hours entry a journal source belongs to: the longest matching prefix, else * if given."""
    return next((p for p in prefixes if p == "*" or source.startswith(p)), None)


def business_seconds(schedule: Schedule, tz: tzinfo, a: int, b: int) -> int:
    """Seconds of [a, b) (UTC epoch) inside the schedule's hours, local time with its DST changes."""
    if b <= a:
        return 0
    a = max(a, b - MAX_LOOKBACK_S)
    d = datetime.fromtimestamp(a, tz).date() - timedelta(days=1)
    last = datetime.fromtimestamp(b, tz).date()
    total = 0
    while d <= last:
        midnight = datetime(d.year, d.month, d.day, tzinfo=tz)
        for start, end in schedule[d.weekday()]:   # aware + timedelta is wall-clock arithmetic: DST-correct
            lo = int((midnight + timedelta(minutes=start)).timestamp())
            hi = int((midnight + timedelta(minutes=end)).timestamp())
            total += max(0, min(hi, b) - max(lo, a))
        d += timedelta(days=1)
    return total


def track_sources(journal_dir: Path, prefixes: tuple[str, ...], now: int) -> dict[str, int | None]:
    """Walk the journal lines received since the last pass; {entry: newest line's UTC second or None}."""
    pos = sa.cursor("journal")
    newest: dict[str, int] = {}
    entries: Iterable[Entry]
    if pos is None:   # first pass: the journal's tail, then carry on from its end
        end = journal.end_cursor(journal_dir)
        entries = journal.tail(journal_dir, SEED_LINES, skip_flags=EVENT)
    else:
        end = (pos >> 32, pos & 0xFFFFFFFF)
        entries = journal.read_from(journal_dir, end, SCAN_LIMIT)
    for e in entries:
        if pos is not None:
            end = e.next_ref
        if e.flags & EVENT:
            continue
        k = key_of(e.source, prefixes)
        if k is not None:
            newest[k] = max(newest.get(k, 0), e.received_ns // 10**9)
    sa.set_cursor("journal", ref_id(end))
    out: dict[str, int | None] = {}
    for k in prefixes:
        row = sa.AlertSource.get_or_none(sa.AlertSource.key == k) or sa.AlertSource.create(key=k, watched_utc=now)
        if k in newest and (row.last_utc or 0) < newest[k]:
            row.last_utc = newest[k]
            row.save()
        out[k] = row.last_utc
    return out


def _local(t: int | None, tz: tzinfo) -> str | Word:
    return Word("never") if t is None else datetime.fromtimestamp(t, tz).strftime("%Y-%m-%d %H:%M %Z")


def no_data(cfg_alerts, journal_dir: Path, tz: tzinfo, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    hours = parse_hours(cfg_alerts.business_hours)
    prefixes = tuple(p for p, _ in hours)
    queued = 0
    with db.atomic("IMMEDIATE"):
        last = track_sources(journal_dir, prefixes, now)
        for prefix, schedule in hours:
            watched = sa.AlertSource.get_by_id(prefix).watched_utc
            gap = business_seconds(schedule, tz, last[prefix] or watched, now)
            key = "no_data_any" if prefix == "*" else "no_data"
            n = said(prefix, key, key + "_ok", gap // 60, "no_data", "data_resumed", label=prefix, minutes=gap // 60,
                     last=_local(last[prefix], tz))
            queued += commit(watch(cfg_alerts, f"no_data:{prefix}", bool(cfg_alerts.no_data_min) and
                                   gap >= cfg_alerts.no_data_min * 60, now, n, readers=readers), sender)
        stale = sa.AlertCondition.select().where(sa.AlertCondition.key.startswith("no_data:"),
                                                 sa.AlertCondition.key.not_in([f"no_data:{p}" for p in prefixes]))
        for row in list(stale):   # an entry removed from the configuration: its condition clears
            n = Notice(row.key[8:], row.detail, 0, "no_data", "data_resumed", f"{row.key[8:]} is no longer watched",
                       clear_words=("unwatched", {"label": row.key[8:]}))
            queued += commit(watch(cfg_alerts, row.key, False, now, n, readers=readers), sender)
    return queued


def link(cfg_alerts, h, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    down = [s for s, up, _ in h.links if not up]
    up = [s for s, ok, _ in h.links if ok]
    what = ("capture_stopped", {}) if h.capture_state == "stale" else ("link_down", {"links": ", ".join(down)[:300]})
    n = Notice(", ".join(down if h.link_up is False else up)[:200] or "capture", say("en", what[0], **what[1]),
               len(down), "link_down", "link_up", "PBX link up: " + ", ".join(up)[:300], what,
               ("link_up", {"links": ", ".join(up)[:300]}))
    with db.atomic("IMMEDIATE"):
        return commit(watch(cfg_alerts, "link", h.link_up is False, now, n, cfg_alerts.link_down_s, readers=readers),
                      sender)


def parse_failures(cfg, cfg_alerts, journal_dir: Path, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    """Quarantined share of the lines received in the window: the journal position at the window's start is
    the newest mark at or before it (one mark per pass), and rows are counted by id (= journal position)."""
    window = cfg_alerts.parse_failure_window_min * 60
    M = sa.AlertMark
    with db.atomic("IMMEDIATE"):
        M.insert(at_utc=now, ref=ref_id(journal.end_cursor(journal_dir))).on_conflict_replace().execute()
        mark = (M.select().where(M.at_utc <= now - window).order_by(M.at_utc.desc()).first()
                or M.select().order_by(M.at_utc).first())
        M.delete().where(M.at_utc < mark.at_utc).execute()
        bad_lines = store.Quarantine.select().where(store.Quarantine.id >= mark.ref).count()
        good = store.Leg.select().where(store.Leg.id >= mark.ref).count()
        total = bad_lines + good
        bad = bad_lines >= cfg_alerts.parse_failure_min and bad_lines * 100 > cfg_alerts.parse_failure_pct * total
        driver = cfg.raw_section("pbx").get("driver", "") or "pbx"
        n = said(driver, "parse_failures", "parse_failures_ok", bad_lines, "parse_failures", "parse_failures_cleared",
                 bad=bad_lines, total=total, minutes=cfg_alerts.parse_failure_window_min,
                 pct=cfg_alerts.parse_failure_pct)
        return commit(watch(cfg_alerts, "parse_failures", bad, now, n, readers=readers), sender)


def journal_full(cfg_alerts, h, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    row = sa.AlertCondition.get_or_none(sa.AlertCondition.key == "journal")
    slack = JOURNAL_HYSTERESIS_PCT if row is not None and row.raised else 0   # clear only well below the mark
    bad = (h.journal_pct >= cfg_alerts.journal_high_pct - slack
           or h.disk_free_pct <= cfg_alerts.disk_low_pct + slack)
    n = said("journal", "journal_high", "journal_ok", h.journal_pct, "journal_high", "journal_ok",
             used=h.journal_pct, free=h.disk_free_pct)
    with db.atomic("IMMEDIATE"):
        return commit(watch(cfg_alerts, "journal", bad, now, n, readers=readers), sender)


def directory_sync(cfg_alerts, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    """The periodic directory sync keeps failing: its last two runs applied nothing (a source could not be read:
    LDAP down, the CSV file missing). The first run that applies clears it. One-off imports do not count."""
    runs = list(sd.SyncRun.select().where(sd.SyncRun.kind == "sync").order_by(sd.SyncRun.id.desc()).limit(2))
    bad = len(runs) == 2 and not any(r.applied for r in runs)
    why: DirectoryText | None = None
    if runs and not runs[0].applied:
        problems = json.loads(runs[0].report).get("problems", [])
        why = next((DirectoryText(p.get("text"), p["message"]) for p in problems if p.get("kind") == "source_error"),
                   None)   # said in each recipient's language (issue 20); an older report's English as it is
    n = said("directory", "directory_sync", "directory_sync_ok", 1, "sync_failing", "sync_ok",
             why=why or Word("nothing_applied"))
    with db.atomic("IMMEDIATE"):
        return commit(watch(cfg_alerts, "directory_sync", bad, now, n, readers=readers), sender)


def tariff_plan(cfg: config.Config, cfg_alerts, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    """The worker stores calls unpriced because no tariff plan can be chosen: several are stored and [rating]
    plan names none, or the plan it names is not stored (appliance.rating.pricing.choose_plan). Storage goes on;
    this says so. Cleared once a plan is chosen again (then `callbox rerate` prices the calls stored meanwhile)."""
    problem = plan_choice.plan_problem(cfg)
    n = said("tariff", "tariff_plan", "tariff_plan_ok", 1, problem=problem or Word("no_plan"))
    with db.atomic("IMMEDIATE"):
        return commit(watch(cfg_alerts, "tariff_plan", bool(problem), now, n, readers=readers), sender)


def stuck_lines(cfg_alerts, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    """Calls of the last day priced shorter than the PBX printed them (RAT-5): over their trunk's cap, or still up
    when the next call on their analogue trunk began: a line failed to release. Cleared after a day without."""
    C = store.Call
    recent = C.select(C.trunk).where(C.start_utc >= now - 86400, C.start_utc < now, C.capped > 0)
    rows: list[str] = [c.trunk for c in recent]
    trunks = sorted(set(rows))
    n = said("stuck_lines", "stuck_lines", "stuck_lines_ok", len(rows), n=len(rows), trunks=", ".join(trunks) or "?")
    with db.atomic("IMMEDIATE"):
        return commit(watch(cfg_alerts, "stuck_lines", bool(rows), now, n, readers=readers), sender)


def check(cfg: config.Config, cfg_alerts, data_dir: Path, h, now: int, sender: Send, readers: Readers = ENGLISH) -> int:
    """All data-flow conditions for one pass; the number of actions queued."""
    journal_dir = data_dir / "journal"
    tz = zone(cfg.section("pbx").timezone)
    return (no_data(cfg_alerts, journal_dir, tz, now, sender, readers) + link(cfg_alerts, h, now, sender, readers)
            + parse_failures(cfg, cfg_alerts, journal_dir, now, sender, readers)
            + journal_full(cfg_alerts, h, now, sender, readers) + directory_sync(cfg_alerts, now, sender, readers)
            + tariff_plan(cfg, cfg_alerts, now, sender, readers) + stuck_lines(cfg_alerts, now, sender, readers))
