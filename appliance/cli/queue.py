"""`callbox queue kpis|agents|quality|rebuild|report|wallboard`: call-centre KPIs per queue and per agent (CC-2), data
quality, the call-centre reports (on a central over its branch boxes too, as its web: the box a first column, `branch`;
--branch BOX that box's only), and the wallboard links (appliance/cli/wallboard.py).

The JSON of `queue kpis` and `queue agents` is a contract (issue 15): fields in appliance/callcentre/kpis.py FIELDS
and agents.py FIELDS, rows sorted by queue (agent), seconds and percentages with 2 decimals, null where the
denominator is 0.
"""
from __future__ import annotations

import csv
import json
import logging
import sys

from appliance import localtime
from appliance.access import users
from appliance.callcentre import agents, journeys, kpis, opening, quality, received_reports, reports, targets
from appliance.callcentre.tables import Ask
from appliance.cli import wallboard
from appliance.reports import csv_cells, received, received_calls
from appliance.reports.attribution import rollup_scope
from appliance.cli.common import UsageError, iso_s, open_data
from appliance.config import ConfigError
from appliance.procs import common_args

log = logging.getLogger(__name__)


def _common(c, rules: bool = True) -> None:
    common_args(c)
    c.add_argument("--since", help="ISO date/time, inclusive: queue calls that entered the queue from then (PBX "
                                   "local time unless an offset is given; default: the first stored)")
    c.add_argument("--until", help="ISO date/time, exclusive (default: no end)")
    c.add_argument("--queue", help="only this queue")
    if rules:
        c.add_argument("--sl-seconds", type=int, metavar="N",
                       help="service level threshold for every queue (default: [callcentre] sl_seconds, 20)")
        c.add_argument("--short-abandon-seconds", type=int, metavar="N",
                       help="short abandon threshold for every queue (default: [callcentre] short_abandon_seconds, 5)")
    c.add_argument("--json", action="store_true", help="one JSON object")


def register(subparsers) -> None:
    """Add `queue kpis|agents|quality|rebuild` to the callbox parser's subparsers."""
    t = subparsers.add_parser("queue", help="call-centre queues: KPIs per queue and agent, data quality (CC-2)")
    sub = t.add_subparsers(dest="queue_command", required=True, parser_class=type(t))
    c = sub.add_parser("kpis", help="offered, answered, lost, service level, ASA, AHT... per queue (README "
                                    "'Call-centre KPIs')")
    _common(c)
    c.set_defaults(func=cmd_kpis)
    c = sub.add_parser("agents", help="answered, talk, ring-no-answer, login, pauses, occupancy per agent")
    _common(c)
    c.set_defaults(func=cmd_agents)
    c = sub.add_parser("quality", help="what the KPIs leave out: unseen ENTERQUEUE, out of order, contradictions, "
                                       "quarantined and duplicated lines, reloads")
    _common(c, rules=False)
    c.set_defaults(func=cmd_quality)
    c = sub.add_parser("report", help="one of the call-centre reports (README 'Call-centre reports'); --list names "
                                      "them")
    _common(c)
    c.add_argument("name", nargs="?", help="the report (callbox queue report --list)")
    c.add_argument("--list", action="store_true", help="the reports' names, by group")
    c.add_argument("--caller", default="", help="caller_journeys: any part of the caller's number")
    c.add_argument("--compare", action="store_true",
                   help="add the first measure's value in the period of the same length just before, and the change")
    c.add_argument("--csv", action="store_true", help="CSV with a header instead of a table")
    c.add_argument("--branch", metavar="BOX", default="",
                   help="on a central: only branch box BOX's queues (default: this box's own and every branch box's, "
                        "the box a first column, branch)")
    c.set_defaults(func=cmd_report)
    c = sub.add_parser("rebuild", help="build every queue call again from the stored queue events")
    common_args(c)
    c.add_argument("--json", action="store_true", help="one JSON object")
    c.set_defaults(func=cmd_rebuild)
    wallboard.register(sub)


def _setup(args, with_cfg: list | None = None) -> tuple[kpis.RuleBook, int | None, int | None]:
    cfg, _ = open_data(args)
    if with_cfg is not None:
        with_cfg.append(cfg)
    tz = localtime.zone(cfg.section("pbx").timezone)
    since, until = iso_s(args.since, tz), iso_s(args.until, tz)
    if since is not None and until is not None and until <= since:
        raise UsageError("the range is empty: --until must be after --since")
    try:
        book = kpis.rulebook(cfg)
    except ConfigError as e:
        raise UsageError(str(e)) from None
    values = {"sl_seconds": getattr(args, "sl_seconds", None),
              "short_abandon_seconds": getattr(args, "short_abandon_seconds", None)}
    if any(v is not None and v < 0 for v in values.values()):
        raise UsageError("--sl-seconds and --short-abandon-seconds are 0 or more seconds")
    journeys.ensure_built()   # a database upgraded from before the queue calls, not yet journeyed by the worker
    try:     # and the calls not yet classified by the opening hours (the worker does it when idle)
        opening.classify(opening.hours(cfg), tz, limit=None)
    except ConfigError as e:
        raise UsageError(str(e)) from None
    return book.override(**values), since, until


def _table(columns: tuple[str, ...], rows: list[dict]) -> None:
    cells = [list(columns)] + [["" if r[c] is None else str(r[c]) for c in columns] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())


def cmd_kpis(args) -> int:
    book, since, until = _setup(args)
    rows = kpis.queue_kpis(book, since, until, args.queue)
    if args.json:
        print(json.dumps({"queues": rows}, ensure_ascii=False))
    else:
        _table(kpis.FIELDS, rows)
    return 0


def cmd_agents(args) -> int:
    book, since, until = _setup(args)
    rows = agents.agent_kpis(book, since, until, args.queue)
    if args.json:
        print(json.dumps({"agents": rows}, ensure_ascii=False))
    else:
        _table(agents.FIELDS[:-1], rows)
    return 0


def cmd_quality(args) -> int:
    _, since, until = _setup(args)
    doc = quality.quality(since, until, args.queue)
    if args.json:
        print(json.dumps(doc, ensure_ascii=False))
        return 0
    for q in doc["queues"]:
        print(f"{q['queue']}: {q['flagged']} queue calls flagged: "
              + ", ".join(f"{p} {n}" for p, n in q["problems"].items()))
    print(f"lines quarantined {doc['quarantined']}, received twice {doc['duplicates']}, "
          f"Asterisk restarts/reloads {doc['reloads']}")
    return 0


def cmd_rebuild(args) -> int:
    open_data(args)
    n = journeys.rebuild_all()
    print(json.dumps({"queue_calls": n}) if args.json else f"{n} queue calls built from the queue events")
    return 0


CONSOLE = users.Account(0, "(console)", "administrator", "all", "", "")


def _branch_boxes(cfg, box: str):
    """On a central ([central] listen or database, as its web): the SQL conditions of the branch boxes' data the
    console sees (every box); None on another box. A --branch naming no branch box is a UsageError."""
    c = cfg.section("central")
    if not (c.listen or c.database):
        if box:
            raise UsageError("--branch: this box is not a central ([central] listen)")
        return None
    rscope = rollup_scope(CONSOLE, cfg.section("pbx").tenant)
    if box and box not in received_calls.branch_names(rscope):
        raise UsageError(f"--branch: no branch box {box!r} (callbox central branch list)")
    return received.scope_sql(rscope)


def cmd_report(args) -> int:
    if args.list or not args.name:
        for group in reports.GROUPS:
            print(f"{group}: " + ", ".join(n for n, (g, _) in reports.REPORTS.items() if g == group))
        return 0 if args.list else 2
    if args.name not in reports.REPORTS:
        raise UsageError(f"unknown report {args.name!r} (callbox queue report --list)")
    got: list = []
    book, since, until = _setup(args, got)
    cfg = got[0]
    try:
        hours, goals = opening.hours(cfg), targets.of_config(cfg)
    except ConfigError as e:
        raise UsageError(str(e)) from None
    s = cfg.section("callcentre")
    ask = Ask(book, since, until, localtime.zone(cfg.section("pbx").timezone),
              frozenset([args.queue]) if args.queue else None, args.caller,
              tuple(r.strip() for r in s.wrapup_pause_reasons.split(",") if r.strip()))
    boxes = _branch_boxes(cfg, args.branch)

    def run(a: Ask):
        if boxes is None:
            return reports.run(args.name, a, hours, goals)
        return received_reports.run(args.name, a, boxes, args.branch, not args.branch, hours, goals)
    table = run(ask)
    if args.compare:
        if not reports.comparable(args.name):
            raise UsageError(f"{args.name} lists calls or periods of its own: it has no comparison")
        try:
            table = reports.compare(table, run(reports.earlier(ask)))
        except ValueError as e:
            raise UsageError(f"--compare: {e} (give --since and --until)") from None
    names = table.names()
    if args.json:
        print(json.dumps({"report": args.name, "columns": names, "kinds": [c.kind for c in table.columns],
                          "rows": table.rows, "totals": table.totals}, ensure_ascii=False))
    elif args.csv:
        w = csv.writer(sys.stdout, lineterminator="\r\n")
        w.writerow(names)
        w.writerows(csv_cells.row(r) for r in table.rows)   # PBX text neutralised against formula injection
    else:
        _table(tuple(names), table.as_dicts())
    return 0
