"""`callbox bill|compare|allowance|linecharge|period`: bills per subscriber, plan comparison, allowances, line
charges, and billed periods (their calls keep their price when tariffs change)."""
from __future__ import annotations

import getpass
import json
import logging
from datetime import datetime, timezone
from pathlib import Path

from appliance import localtime
from appliance.billing import allowances, billed, linecharges, usage
from appliance.billing import bills as billing
from appliance.billing import received as received_bills
from appliance.cli.common import UsageError, open_data, read_csv_text
from appliance.directory import hunt_groups
from appliance.pdf import LANGS as PDF_LANGS
from appliance.procs import common_args, load_config
from appliance.store import billing as store_billing
from appliance.store import directory as store_directory

log = logging.getLogger(__name__)


def _period_args(c) -> None:
    c.add_argument("--period", help="YYYY-MM (month), YYYY-Www (ISO week) or YYYY-MM-DD, PBX local time")
    c.add_argument("--since", help="ISO date/time, inclusive (local time unless an offset is given)")
    c.add_argument("--until", help="ISO date/time, exclusive")
    c.add_argument("--json", action="store_true", help="one JSON object")


def register(subparsers) -> None:
    """Add bill, compare, allowance import and linecharge import|show to the callbox parser's subparsers."""
    c = subparsers.add_parser("bill", help="a subscriber's bill for a period (calls, unit prices, allowances)")
    common_args(c)
    who = c.add_mutually_exclusive_group(required=True)
    who.add_argument("--person", metavar="ID", help="the person's id in the directory (all their extensions)")
    who.add_argument("--extension", metavar="EXT", help="one extension")
    _period_args(c)
    c.add_argument("--tenant", metavar="CODE", help="the tenant whose calls are billed (default: [pbx] tenant)")
    c.add_argument("--branch", metavar="BOX", help="on a central: bill the calls the branch box BOX sent (the person's "
                   "id in that branch's directory), as the branch priced them")
    c.add_argument("--pdf", type=Path, metavar="FILE", help="also write the bill as a PDF file")
    c.add_argument("--lang", choices=PDF_LANGS, default="en", help="the PDF's language (default: en)")
    c.set_defaults(func=cmd_bill)
    c = subparsers.add_parser("compare", help="the period's outgoing traffic priced under every stored plan")
    common_args(c)
    _period_args(c)
    c.add_argument("--tenant", metavar="CODE", help="the tenant whose traffic is compared (default: [pbx] tenant)")
    c.set_defaults(func=cmd_compare)
    for name, what in (("allowance", "free allowances / minute packages"), ("linecharge", "monthly line charges")):
        a = subparsers.add_parser(name, help=f"{what} (CSV, provisioning/billing/README.md)")
        sub = a.add_subparsers(dest=f"{name}_command", required=True, parser_class=type(a))
        c = sub.add_parser("import", help=f"make the CSV file the tenant's whole list of {what}")
        common_args(c)
        c.add_argument("--json", action="store_true")
        c.add_argument("file", type=Path, metavar="FILE")
        c.set_defaults(func=cmd_allowance_import if name == "allowance" else cmd_linecharge_import)
    c = sub.add_parser("show", help="each line charge of a month shared out to people and cost centres")
    common_args(c)
    c.add_argument("--period", required=True, metavar="YYYY-MM")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_linecharge_show)
    _register_period(subparsers)


def _site(args, create: bool = False) -> usage.Site:
    cfg, _ = open_data(args, create)
    if create:   # definitions belong to the configured tenant, even before its directory is imported
        store_directory.tenant_id(cfg.section("pbx").tenant, create=True)
    return usage.site_from_config(cfg, localtime.zone(cfg.section("pbx").timezone), getattr(args, "tenant", None))


def _period(args, site: usage.Site) -> usage.Period:
    if args.period and (args.since or args.until):
        raise UsageError("give --period or --since/--until, not both")
    if args.period:
        return usage.parse_period(args.period, site.tz)
    if not (args.since and args.until):
        raise UsageError("a period is needed: --period YYYY-MM, or --since and --until")
    return usage.custom(args.since, args.until, site.tz)


def cmd_bill(args) -> int:
    tenants = (args.tenant,) if args.branch is not None and args.tenant else None
    if tenants:    # a branch's tenant codes are its own: a filter on its calls, not one of this box's tenants
        args.tenant = None
    site = _site(args)
    if args.branch is not None:
        b = received_bills.bill(args.branch, _period(args, site), person=args.person, extension=args.extension,
                                tenants=tenants, tz=site.tz)
    else:
        b = billing.bill(site, _period(args, site), person=args.person, extension=args.extension)
    if args.pdf:
        from appliance.pdf import bill as pdf_bill  # fpdf2 loads only for a PDF
        try:
            groups = hunt_groups.configured(load_config(args))   # its call lines name the hunt groups
            args.pdf.write_bytes(pdf_bill.bill_pdf(b, args.lang, hunt_groups=groups))
        except OSError as e:
            raise UsageError(f"cannot write the PDF {args.pdf}: {e.strerror}") from e
    if args.json:
        print(json.dumps(b.as_dict(), ensure_ascii=False))
        return 0
    print(f"Bill {b.subscriber} {b.name} {b.period.label} ({b.currency or 'no priced calls'})"
          + (f" of branch box {b.branch}" if b.branch else ""))
    for line in b.lines:
        d = line.as_dict()
        print(f"{d['date']} {d['time']}\t{line.number}\t{line.destination or line.kind}\t{line.talk_s} s\t"
              f"{d['cost'] or '-'}\t{d['amount']}\t{line.note or ', '.join(line.allowances)}")
    for kind, s in b.subtotals.items():
        print(f"  {kind}: {s['calls']} calls, {s['seconds']} s, cost {s['cost']}, free {s['discount']}, "
              f"to pay {s['amount']}")
    for u in b.allowances:
        print(f"  allowance {u.allowance.name} {u.window}: used {u.used} of {u.allowance.amount} {u.allowance.unit}")
    for c in b.line_charges:
        print(f"  line charge {c['trunk']} {c['description']}: {c['share']} of {c['amount']}")
    print(f"Total {b.total} {b.currency}")
    return 0


def cmd_compare(args) -> int:
    site = _site(args)
    period = _period(args, site)
    rows = billing.compare(site, period)
    if args.json:
        print(json.dumps({"period": period.label, "plans": [r.as_dict() for r in rows]}, ensure_ascii=False))
        return 0
    if not rows:
        print("no tariff plans stored: callbox tariff import FILE")
    for r in rows:
        classes = ", ".join(f"{k} {v}" for k, v in r.per_class.items())
        print(f"{r.plan}\t{r.total} {r.currency}\t{r.calls} calls, {r.unrated} unrated\t{classes}")
    return 0


def cmd_allowance_import(args) -> int:
    rows = allowances.read_csv(read_csv_text(args.file), str(args.file))
    site = _site(args, create=True)
    n = store_billing.replace_allowances(site.tenant_id, rows)
    print(json.dumps({"file": str(args.file), "allowances": n}) if args.json else f"{n} allowances stored")
    return 0


def cmd_linecharge_import(args) -> int:
    rows = linecharges.read_csv(read_csv_text(args.file), str(args.file))
    site = _site(args, create=True)
    n = store_billing.replace_line_charges(site.tenant_id, rows)
    print(json.dumps({"file": str(args.file), "line_charges": n}) if args.json else f"{n} line charges stored")
    return 0


def cmd_linecharge_show(args) -> int:
    site = _site(args)
    found = linecharges.month_distribution(site, usage.parse_period(args.period, site.tz))
    if args.json:
        print(json.dumps([d.as_dict() for d in found], ensure_ascii=False))
        return 0
    for d in found:
        print(f"{d.charge.trunk} {d.charge.description}: {d.charge.amount} {d.charge.currency} by {d.charge.basis}")
        for who, share in {**d.by_person, **({"(no use)": d.unallocated} if d.unallocated else {})}.items():
            print(f"  {who}\t{share}")
        for cc, share in d.by_cost_centre.items():
            print(f"  cost centre {cc or '(none)'}\t{share}")
    return 0


def _register_period(subparsers) -> None:
    """`period close|reopen|list`: mark invoiced periods as billed, so re-rating leaves their calls alone."""
    p = subparsers.add_parser("period", help="billed periods: their calls keep their price when tariffs change")
    sub = p.add_subparsers(dest="period_command", required=True, parser_class=type(p))
    c = sub.add_parser("close", help="mark a period as billed (invoiced): re-rating leaves its calls alone")
    common_args(c)
    c.add_argument("--period", help="YYYY-MM, YYYY-Www or YYYY-MM-DD, PBX local time")
    c.add_argument("--since", help="ISO date/time, inclusive (local time unless an offset is given)")
    c.add_argument("--until", help="ISO date/time, exclusive")
    c.add_argument("--tenant", metavar="CODE", help="the tenant billed (default: [pbx] tenant)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_period_close)
    c = sub.add_parser("reopen", help="lift a billed period's freeze (its calls may be re-rated again)")
    common_args(c)
    c.add_argument("label", metavar="PERIOD", help="the period as listed, e.g. 2026-10")
    c.add_argument("--tenant", metavar="CODE", help="default: [pbx] tenant")
    c.set_defaults(func=cmd_period_reopen)
    c = sub.add_parser("list", help="the billed periods")
    common_args(c)
    c.add_argument("--json", action="store_true", help="one JSON object per line")
    c.set_defaults(func=cmd_period_list)


def _open_periods(args):
    return open_data(args)[0]


def _who() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def cmd_period_close(args) -> int:
    cfg = _open_periods(args)
    tz = localtime.zone(cfg.section("pbx").timezone)
    if args.period and (args.since or args.until):
        raise UsageError("give --period or --since/--until, not both")
    if args.period:
        period = usage.parse_period(args.period, tz)
    elif args.since and args.until:
        period = usage.custom(args.since, args.until, tz)
    else:
        raise UsageError("a period is needed: --period YYYY-MM, or --since and --until")
    tenant = args.tenant or cfg.section("pbx").tenant
    pid = billed.close(tenant, period.label, period.since, period.until, by=_who())
    out = {"id": pid, "tenant": tenant, "period": period.label, "since": _iso(period.since),
           "until": _iso(period.until)}
    print(json.dumps(out) if args.json else f"period {period.label} of tenant {tenant} is billed: its calls keep "
          "their price (callbox rerate --force to re-rate them anyway)")
    return 0


def cmd_period_reopen(args) -> int:
    cfg = _open_periods(args)
    tenant = args.tenant or cfg.section("pbx").tenant
    billed.reopen(tenant, args.label, by=_who())
    print(f"period {args.label} of tenant {tenant} reopened")
    return 0


def cmd_period_list(args) -> int:
    _open_periods(args)
    for p in billed.periods():
        row = {"tenant": p.tenant, "period": p.label, "since": _iso(p.since), "until": _iso(p.until),
               "closed_at": _iso(p.closed_at), "closed_by": p.closed_by}
        print(json.dumps(row, ensure_ascii=False) if args.json else
              f"{p.tenant}\t{p.label}\t{row['since']}\t{row['until']}\tclosed {row['closed_at']} by {p.closed_by}")
    return 0


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()
