"""The box's health in one read-only snapshot: capture links, data flow, quarantine, journal, disk and database.

Used by the web status, the SNMP GET handler (appliance.snmp_pass) and the alert checks. It never writes: the
database is read through its own short read-only sqlite3 connection (so the caller's `store.db`, read-only in
the web process and read-write in the jobs process, is left alone), the capture status file and the journal
are only read.
"""
from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from appliance import config, journal, store
from appliance.localtime import zone
from appliance.records import EVENT

log = logging.getLogger(__name__)
STALE_S = 10.0   # capture rewrites run/capture.json at least every 5 s (capture_sink.HEARTBEAT_S)
DB_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Health:
    """What a monitor needs to know about the box at `now_utc`. Counts are ints, times UTC epoch seconds."""
    link_up: bool | None               # None: no capture status (capture never ran here)
    links: list[tuple[str, bool, int | None]]   # (source, up, since_utc) per capture link
    last_record_utc: int | None        # when the newest PBX line (not a link event) reached the journal
    last_record_age_s: int | None
    records_today: int                 # calls stored that started today (PBX local day)
    quarantine_total: int
    quarantine_today: int              # lines quarantined that were received today (PBX local day)
    journal_bytes: int
    journal_pct: int                   # of [journal] retain_mb; over 100 when unprocessed data is kept
    disk_free_pct: int                 # of the data partition
    db_ok: bool
    db_error: str                      # "" when db_ok
    capture_state: str = "missing"     # running, stale (capture not running), missing or unreadable
    calls_total: int = 0
    now_utc: int = 0
    extra: dict = field(default_factory=dict, compare=False)


def _iso_epoch(text: object) -> int | None:
    if not text:
        return None
    try:
        return int(datetime.fromisoformat(str(text).replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def capture_links(path: Path, now: float) -> tuple[str, bool | None, list[tuple[str, bool, int | None]]]:
    """(state, link_up, links) from capture's status file. A stale file means capture is not running: every
    link counts as down. link_up is True when at least one link is up (with tcp-listen the listener itself)."""
    try:
        age = now - path.stat().st_mtime
        raw = json.loads(path.read_text(encoding="utf-8"))
        links = [(str(src), v.get("state") == "up", _iso_epoch(v.get("since")))
                 for src, v in sorted((raw.get("links") or {}).items())]
    except FileNotFoundError:
        return "missing", None, []
    except (OSError, ValueError, AttributeError, TypeError):   # half-written or not the expected shape
        log.warning("cannot read %s", path, exc_info=True)
        return "unreadable", False, []
    if age > STALE_S:
        return "stale", False, [(src, False, since) for src, _, since in links]
    return "running", any(up for _, up, _ in links), links


_last_line_cache: dict[str, tuple[int, int, int | None]] = {}   # journal dir -> (segment, end offset, ns)
_cache_lock = threading.Lock()


def _scan_segment(directory: Path, segno: int, start: int) -> tuple[int | None, int]:
    """(receive ns of the newest PBX line in segment `segno` from offset `start`, the offset scanned to)."""
    newest, end = None, start
    for e in journal.read_from(directory, (segno, start)):
        if e.ref[0] != segno:
            break
        end = e.next_ref[1]
        if not e.flags & EVENT:
            newest = e.received_ns
    return newest, end


def last_line_ns(directory: Path) -> int | None:
    """Receive time of the newest PBX line in the journal. Remembers how far it read, so repeated calls only
    scan what was appended since (a segment can be 16 MiB; the SNMP handler asks on every GET)."""
    segs = journal.segments(directory)
    if not segs:
        return None
    with _cache_lock:
        seg, off, found = _last_line_cache.get(str(directory), (-1, 0, None))
        if segs[-1] < seg:            # the journal was replaced: start over
            seg, off, found = -1, 0, None
        result, newest_end = found, 0
        for segno in reversed(segs):
            if segno < seg:
                break
            ns, end = _scan_segment(directory, segno, off if segno == seg else 0)
            if segno == segs[-1]:
                newest_end = end
            if ns is not None:
                result = ns
                break
        _last_line_cache[str(directory)] = (segs[-1], newest_end, result)
        return result


def _db_counts(db_path: Path, midnight: int) -> tuple[dict[str, int], str]:
    """({calls_total, records_today, quarantine_total, quarantine_today}, error text or "")."""
    zero = dict.fromkeys(("calls_total", "records_today", "quarantine_total", "quarantine_today"), 0)
    if not db_path.exists():
        return zero, f"database {db_path} does not exist yet (the worker creates it)"
    call, quarantine = store.Call._meta.table_name, store.Quarantine._meta.table_name
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=DB_TIMEOUT_S)
        try:
            q = lambda sql, *a: con.execute(sql, a).fetchone()[0]   # noqa: E731
            return {"calls_total": q(f'SELECT COUNT(*) FROM "{call}"'),
                    "records_today": q(f'SELECT COUNT(*) FROM "{call}" WHERE start_utc >= ?', midnight),
                    "quarantine_total": q(f'SELECT COUNT(*) FROM "{quarantine}"'),
                    "quarantine_today": q(f'SELECT COUNT(*) FROM "{quarantine}" WHERE received_ns >= ?',
                                          midnight * 10**9)}, ""
        finally:
            con.close()
    except sqlite3.Error as e:
        return zero, f"database {db_path}: {e}"


INTEGRITY_FILE = "db-check.json"   # in run/: the last PRAGMA quick_check of callbox.db (written by the alert pass)


def integrity(db_path: Path, full: bool = False) -> str:
    """"" when SQLite finds callbox.db sound, else what it found (PRAGMA quick_check, or integrity_check when
    `full`, which also compares every index with its table). Read-only. The COUNT(*) probes of `_db_counts`
    read only the call and quarantine b-trees: a damaged leg table or index passed them while the worker died
    of "database disk image is malformed", so the alert pass runs this on the whole file."""
    if not db_path.exists():
        return ""
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=DB_TIMEOUT_S)
        try:
            rows = [r[0] for r in con.execute(f"PRAGMA {'integrity_check' if full else 'quick_check'}(20)")]
        finally:
            con.close()
    except sqlite3.Error as e:
        return str(e)
    if rows == ["ok"]:
        return ""
    text = "; ".join(" ".join(str(r).split()) for r in rows)   # one line (a trap's text, the home page)
    return text if len(text) <= 300 else text[:299] + "…"


def record_integrity(data_dir: Path, now: float) -> str:
    """Run `integrity` on the data directory's database and keep the result in run/db-check.json, where every
    `snapshot` (web, SNMP) reads it without checking the file again. Returns the error ("" when sound)."""
    error = integrity(Path(data_dir) / "callbox.db")
    run = Path(data_dir) / "run"
    try:
        run.mkdir(exist_ok=True)
        tmp = run / (INTEGRITY_FILE + ".tmp")
        tmp.write_text(json.dumps({"error": error, "checked_utc": int(now)}), encoding="utf-8")
        tmp.replace(run / INTEGRITY_FILE)
    except OSError:
        log.warning("cannot record the database check in %s", run, exc_info=True)
    return error


def _recorded(data_dir: Path) -> dict:
    try:
        doc = json.loads((Path(data_dir) / "run" / INTEGRITY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _recorded_integrity(data_dir: Path) -> str:
    """The damage the last `record_integrity` found ("" when none, or never checked)."""
    return str(_recorded(data_dir).get("error") or "")


def integrity_due(data_dir: Path, now: float, every_s: int) -> bool:
    """Whether the alert pass should run `record_integrity` now: never checked, the last check found damage
    (checked every pass until it clears), `every_s` have passed since, or the clock went back."""
    doc = _recorded(data_dir)
    if doc.get("error"):
        return True
    try:
        last = int(doc["checked_utc"])
    except (KeyError, TypeError, ValueError):
        return True
    return not last <= now < last + every_s


def _midnight(now: float, cfg: config.Config) -> int:
    """Start of the PBX's local day containing `now` ([pbx] timezone; a bad zone falls back to UTC)."""
    try:
        tz = zone(cfg.raw_section("pbx").get("timezone", "").strip())
    except ValueError:
        tz = timezone.utc
    local = datetime.fromtimestamp(now, tz)
    return int(local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())


def _disk_free_pct(path: Path) -> int:
    while not path.exists() and path != path.parent:
        path = path.parent
    du = shutil.disk_usage(path)
    return du.free * 100 // du.total if du.total else 0


def _retain_mb(cfg: config.Config) -> int:
    try:
        return cfg.section("journal").retain_mb
    except config.ConfigError:
        return int(config.BY_KEY[("journal", "retain_mb")].default)


def snapshot(data_dir: Path, cfg: config.Config, now: float | None = None) -> Health:
    """The health of the box whose data directory is `data_dir`, at `now` (default: the clock)."""
    data_dir = Path(data_dir)
    now = time.time() if now is None else now
    state, link_up, links = capture_links(data_dir / "run" / "capture.json", now)
    last_ns = last_line_ns(data_dir / "journal")
    last = None if last_ns is None else last_ns // 10**9
    counts, db_error = _db_counts(data_dir / "callbox.db", _midnight(now, cfg))
    damage = _recorded_integrity(data_dir)
    if damage and not db_error:
        db_error = f"database {data_dir / 'callbox.db'} is damaged: {damage}"
    _, jbytes = journal.usage(data_dir / "journal")
    return Health(link_up=link_up, links=links, last_record_utc=last,
                  last_record_age_s=None if last is None else max(0, int(now) - last),
                  records_today=counts["records_today"], quarantine_total=counts["quarantine_total"],
                  quarantine_today=counts["quarantine_today"], journal_bytes=jbytes,
                  journal_pct=jbytes * 100 // (_retain_mb(cfg) << 20), disk_free_pct=_disk_free_pct(data_dir),
                  db_ok=not db_error, db_error=db_error, capture_state=state, calls_total=counts["calls_total"],
                  now_utc=int(now))
