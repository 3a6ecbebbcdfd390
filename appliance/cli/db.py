"""`callbox db check|rebuild`: find a damaged callbox.db and rebuild it from the journal (issue 13, finding 8).

What a rebuild keeps and what it derives again:
- derived from the journal (the source of truth for calls; nothing is copied): DERIVED below, i.e. calls,
  legs, queue events, quarantine, link events, the journal cursor and the report roll-ups;
- copied from the damaged file, every row SQLite can still read: every other table of the schema (directory,
  tariffs and time ranges, saved reports, schedules, alert rules and alert state, allowances, line charges,
  billed periods, the outbox and run history, the PBX cause codes the alert pass gathered). A row on a
  damaged page is lost: restore it from a backup or enter it again. Web users and their passwords live in
  users.db, which a rebuild does not touch.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import time
from pathlib import Path

from appliance import health, store
from appliance.cli.common import UsageError
from appliance.ingest.worker import build_processor, process_all
from appliance.paths import Paths, parse_lock
from appliance.procs import common_args, load_config
from appliance.registry import driver_parser

log = logging.getLogger(__name__)
# The tables the worker fills from the journal: a rebuild leaves them empty and processes the whole journal.
# leg_code is not among them: the alert pass derives it from new legs past its cursor (alert_cursor), and both
# are copied, so the cause-code report keeps its history.
DERIVED = ("call", "call_tenant", "leg", "queue_event", "quarantine", "link_event", "cursor",
           "rollup_band", "rollup_class", "rollup_day", "rollup_dirty", "rollup_ext", "rollup_ext_month",
           "rollup_hour", "rollup_month_dirty", "rollup_state", "rollup_trunk", "queue_call", "queue_state",
           "rollup_offer", "rollup_offer_ext", "rollup_offer_total", "rollup_occupancy", "rollup_occupancy_quarter",
           "rollup_long_call")
SKIPS = (1, 10, 100, 1000, 10_000, 100_000, 1_000_000)   # rowid jumps tried past a page SQLite cannot read


def register(subparsers) -> None:
    """Add `db check|rebuild` to the callbox parser's subparsers."""
    p = subparsers.add_parser("db", help="check the database; rebuild a damaged one from the journal")
    sub = p.add_subparsers(dest="db_command", required=True, parser_class=type(p), metavar="check|rebuild")
    c = sub.add_parser("check", help="SQLite's quick_check (or --full integrity_check) of callbox.db; "
                                     "exit 1 when damaged")
    common_args(c)
    c.add_argument("--full", action="store_true", help="integrity_check: also compare every index with its table")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.set_defaults(func=cmd_check)
    c = sub.add_parser("rebuild", help="move callbox.db aside and rebuild it: calls from the journal, the rest "
                                       "copied from the old file where readable (stop the appliance first)")
    common_args(c)
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.set_defaults(func=cmd_rebuild)


def cmd_check(args) -> int:
    path = Paths(args.data).db
    if not path.exists():
        raise UsageError(f"no database: {path}")
    started = time.monotonic()
    error = health.integrity(path, full=args.full)
    doc = {"ok": not error, "database": str(path), "check": "integrity_check" if args.full else "quick_check",
           "problems": error.split("; ") if error else [], "seconds": round(time.monotonic() - started, 3)}
    if args.json:
        print(json.dumps(doc))
    else:
        print(f"{path}: ok" if not error else f"{path}: DAMAGED: {error}\n"
              "recover with `callbox db rebuild` (calls come back from the journal)")
    return 0 if not error else 1


def _readable_rows(old: sqlite3.Connection, table: str, columns: list[str]) -> tuple[list[tuple], int]:
    """(rows of `table` SQLite can read, in rowid order, the number of read errors met). Past an unreadable page
    it goes on from a larger rowid, so a damaged page costs the rows on it, not the rest of the table."""
    cols = ", ".join(f'"{c}"' for c in columns)
    rows: list[tuple] = []
    last, errors = None, 0
    while True:
        after = -(2 ** 63) if last is None else last
        try:
            for row in old.execute(f'SELECT rowid, {cols} FROM "{table}" WHERE rowid > ? ORDER BY rowid', (after,)):
                rows.append(row[1:])
                last = row[0]
            return rows, errors
        except sqlite3.DatabaseError:
            errors += 1
            for skip in SKIPS:   # the first rowid past the damaged page that reads again
                start = (last or 0) + skip
                try:
                    old.execute(f'SELECT rowid FROM "{table}" WHERE rowid >= ? ORDER BY rowid LIMIT 1',
                                (start,)).fetchall()
                except sqlite3.DatabaseError:
                    continue
                last = start - 1
                break
            else:
                return rows, errors


def _copy_kept(old_path: Path) -> dict[str, dict]:
    """Copy every table outside DERIVED from the damaged file into the (new, open) store. Per table: rows
    copied and read errors; a table SQLite cannot list at all counts as one error. The old row wins over a
    default the new database was created with."""
    old = sqlite3.connect(f"file:{old_path}?mode=ro", uri=True)
    report: dict[str, dict] = {}
    try:
        new = store.db
        new.execute_sql("PRAGMA foreign_keys = OFF")   # tables copied in any order; the ids are the old ones
        try:
            for model in store.all_models():
                table = model._meta.table_name
                if table in DERIVED:
                    continue
                wanted = [f.column_name for f in model._meta.sorted_fields]
                try:
                    have = {r[1] for r in old.execute(f'PRAGMA table_info("{table}")')}
                except sqlite3.DatabaseError:
                    report[table] = {"copied": 0, "errors": 1}
                    continue
                columns = [c for c in wanted if c in have]
                rows, errors = _readable_rows(old, table, columns) if columns else ([], 0)
                with new.atomic():
                    marks = ", ".join("?" * len(columns))
                    names = ", ".join(f'"{c}"' for c in columns)
                    for row in rows:
                        new.execute_sql(f'INSERT OR REPLACE INTO "{table}" ({names}) VALUES ({marks})', row)
                report[table] = {"copied": len(rows), "errors": errors}
        finally:
            new.execute_sql("PRAGMA foreign_keys = ON")
    finally:
        old.close()
    return report


def cmd_rebuild(args) -> int:
    paths = Paths(args.data)
    if not paths.db.exists():
        raise UsageError(f"no database: {paths.db}")
    cfg = load_config(args)
    driver_parser(cfg)                 # a configuration error stops it before anything moves
    with parse_lock(paths):            # no worker batch or import in between
        aside = paths.db.with_name(f"{paths.db.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
        for suffix in ("", "-wal", "-shm"):   # the WAL holds committed pages: it moves with its database
            src = paths.db.with_name(paths.db.name + suffix)
            if src.exists():
                src.rename(aside.with_name(aside.name + suffix))
        log.warning("moved the damaged database to %s", aside)
        store.open_db(paths.db)
        kept = _copy_kept(aside)
        processor = build_processor(cfg)   # prices with the tariffs just copied
    lines = process_all(paths, processor, cfg.section("worker").batch_lines)
    calls = store.db.execute_sql('SELECT COUNT(*) FROM "call"').fetchone()[0]
    health.record_integrity(paths.data, time.time())   # the home page and the alert clear at the next pass
    doc = {"moved_to": str(aside), "journal_entries": lines, "calls": calls, "kept": kept,
           "rebuilt": list(DERIVED)}
    if args.json:
        print(json.dumps(doc))
    else:
        lost = {t: r["errors"] for t, r in kept.items() if r["errors"]}
        print(f"damaged database moved to {aside}\nrebuilt from the journal: {lines} entries, {calls} calls\n"
              f"copied from the old file: {sum(r['copied'] for r in kept.values())} rows of {len(kept)} tables"
              + (f"\nunreadable parts (rows lost, restore or enter them again): {lost}" if lost else ""))
    return 0
