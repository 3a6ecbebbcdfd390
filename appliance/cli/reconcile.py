"""`callbox reconcile`: an operator's itemised bill against the stored calls (RAT-9)."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from appliance import localtime
from appliance.access import scope
from appliance.cli.common import UsageError, iso_s, open_data
from appliance.procs import common_args
from appliance.rating import numbering
from appliance.reconcile import explain, maps, match
from appliance.reconcile.invoice import InvoiceError, read_invoice

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    """Add `reconcile` to the callbox parser's subparsers."""
    c = subparsers.add_parser("reconcile", help="match an operator's itemised bill (CSV) to the stored calls")
    common_args(c)
    c.add_argument("file", type=Path, metavar="INVOICE.csv")
    c.add_argument("--map", required=True, metavar="NAME|FILE",
                   help=f"the bill's column map: built in ({', '.join(maps.BUILTIN)}) or an INI file with [map]")
    c.add_argument("--since", help="the bill's period, ISO date/time, inclusive (default: the day of its first "
                                   "call; PBX local time unless an offset is given)")
    c.add_argument("--until", help="exclusive (default: the day after its last call)")
    c.add_argument("--start-tolerance", type=int, default=match.Tolerances.start_s, metavar="S",
                   help=f"seconds the starts may differ (default {match.Tolerances.start_s})")
    c.add_argument("--duration-tolerance", type=int, default=match.Tolerances.duration_s, metavar="S",
                   help=f"seconds the durations may differ (default {match.Tolerances.duration_s})")
    c.add_argument("--line", action="append", default=[], metavar="LINE=TRUNK[,TRUNK]",
                   help="the invoice's line (its line column) was the PBX's trunk(s); repeatable. Calls are then "
                        "matched per line, and only these trunks' calls are compared")
    c.add_argument("--tenant", metavar="CODE", help="only this tenant's calls (default: every call of the box)")
    c.add_argument("--csv", type=Path, metavar="OUT.csv", help="also write every row as CSV ('-': stdout)")
    c.add_argument("--pdf", type=Path, metavar="OUT.pdf", help="also write the rows and findings as PDF")
    c.add_argument("--json", action="store_true", help="one JSON object: totals, counts, findings, rows")
    c.set_defaults(func=cmd_reconcile)


def _lines(specs: list[str]) -> dict[str, set[str]] | None:
    out: dict[str, set[str]] = {}
    for spec in specs:
        line, eq, trunks = spec.partition("=")
        if not eq or not line.strip() or not trunks.strip():
            raise UsageError(f"--line {spec!r}: expected LINE=TRUNK[,TRUNK]")
        out.setdefault(line.strip(), set()).update(t.strip() for t in trunks.split(",") if t.strip())
    return out or None


def _day_bounds(first: int, last: int, tz) -> tuple[int, int]:
    """Midnight of the first call's local day, midnight after the last call's."""
    from datetime import datetime, timedelta   # only here: the default period
    a = datetime.fromtimestamp(first, tz).replace(hour=0, minute=0, second=0, tzinfo=None)
    b = datetime.fromtimestamp(last, tz).replace(hour=0, minute=0, second=0, tzinfo=None) + timedelta(days=1)
    return localtime.to_utc(a, tz)[0], localtime.to_utc(b, tz)[0]


PDF_COLUMNS = ("status", "cause", "invoice_start", "box_start", "number", "invoice_duration_s", "box_duration_s",
               "invoice_amount", "box_cost", "difference")


def _pdf(result: match.Result, map_name: str, file_name: str) -> bytes:
    """The reconciliation as a PDF: the findings as the subtitle, every row, the totals."""
    from appliance.pdf import document   # fpdf2: only when a PDF is asked for
    subtitle = (f"{file_name} ({map_name}): invoice {result.invoice_total}, box {result.box_total}, difference "
                f"{result.difference}. " + " ".join(f"{f['cause']}: {f['text']}." for f in result.findings))
    rows = [[d[k] for k in PDF_COLUMNS] for d in explain.as_dicts(result)]
    totals = ["total"] + [""] * 6 + [str(result.invoice_total), str(result.box_total), str(result.difference)]
    return document.report_pdf("Invoice reconciliation", subtitle, list(PDF_COLUMNS), rows, totals=totals)


def cmd_reconcile(args) -> int:
    if not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    cfg, _ = open_data(args)
    tz = localtime.zone(cfg.section("pbx").timezone)
    options = {k: v for k, v in vars(cfg.section("numbers")).items() if v != ""}
    if not options.get("country"):
        raise UsageError("no numbering plan: set [numbers] country first (invoice numbers are read by it)")
    try:
        cmap = maps.find_map(args.map)
        invoice = read_invoice(args.file.read_bytes(), cmap, numbering.plan_from_options(options), tz,
                               str(args.file))
    except (InvoiceError, ValueError) as e:
        raise UsageError(str(e)) from None
    if not invoice:
        raise UsageError(f"{args.file}: no calls in it (map {cmap.name})")
    since, until = iso_s(args.since, tz), iso_s(args.until, tz)
    lo, hi = _day_bounds(min(i.start_utc for i in invoice), max(i.start_utc for i in invoice), tz)
    lines = _lines(args.line)
    trunks = set().union(*lines.values()) if lines else None
    tenants = None if args.tenant is None else scope.call_tenant_codes(args.tenant, cfg.section("pbx").tenant)
    calls = match.stored_calls(lo if since is None else since, hi if until is None else until, trunks, tenants)
    tol = match.Tolerances(args.start_tolerance, args.duration_tolerance)
    result = explain.explain(match.match(invoice, calls, tol, lines))
    if args.csv is not None:
        text = explain.to_csv(result)
        if str(args.csv) == "-":
            print(text, end="")
        else:
            args.csv.write_text(text, encoding="utf-8-sig")
    if args.pdf is not None:
        args.pdf.write_bytes(_pdf(result, cmap.name, str(args.file.name)))
    summary = {"map": cmap.name, "invoice_calls": len(invoice), "box_calls": len(calls),
               "matched": result.count("matched"), "missing": result.count("missing"),
               "extra": result.count("extra"), "price_differences": result.count("matched", "price"),
               "start_differences": result.count("matched", "start"),
               "duration_differences": result.count("matched", "duration"),
               "invoice_total": str(result.invoice_total), "box_total": str(result.box_total),
               "difference": str(result.difference), "findings": result.findings}
    if args.json:
        print(json.dumps({**summary, "rows": explain.as_dicts(result)}, ensure_ascii=False))
    elif str(args.csv) != "-":
        print(f"{summary['invoice_calls']} invoice calls, {summary['box_calls']} stored: {summary['matched']} "
              f"matched, {summary['missing']} missing, {summary['extra']} extra, {summary['price_differences']} "
              f"price differences; invoice {result.invoice_total}, box {result.box_total}, difference "
              f"{result.difference}")
        for f in result.findings:
            print(f"{f['cause']}: {f['text']}")
    return 0
