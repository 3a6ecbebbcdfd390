"""`callbox invoice issue|list|show|pdf|credit`: customers' invoices and credit notes (REP-9). There is no command
that changes or deletes an issued invoice: a credit note corrects it."""
from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path

from appliance import localtime
from appliance.cli.common import UsageError, iso_s, open_data
from appliance.customers import customers, invoices, tax
from appliance.procs import common_args

log = logging.getLogger(__name__)


def register(subparsers) -> None:
    """Add `invoice` and its commands to the callbox parser's subparsers."""
    t = subparsers.add_parser("invoice", help="customers' invoices and credit notes")
    sub = t.add_subparsers(dest="invoice_command", metavar="issue|list|show|pdf|credit|mail|run", required=True,
                           parser_class=type(t))
    c = sub.add_parser("issue", help="issue a customer's invoice for a month (their calls not yet invoiced)")
    common_args(c)
    c.add_argument("customer", metavar="CUSTOMER")
    c.add_argument("--month", metavar="YYYY-MM", help="the period: a calendar month in PBX local time")
    c.add_argument("--since", metavar="YYYY-MM-DD", help="or the period's first day ...")
    c.add_argument("--until", metavar="YYYY-MM-DD", help="... and its last day (included)")
    c.add_argument("--item", action="append", default=[], metavar="DESCRIPTION=AMOUNT",
                   help="an extra line, e.g. 'Monthly fee=25.00' (repeat for more)")
    c.add_argument("--series", default=invoices.SERIES, help=f"the numbering series (default {invoices.SERIES})")
    c.add_argument("--json", action="store_true", help='{"invoice", "total", "currency", ...}')
    c.set_defaults(func=cmd_issue)
    c = sub.add_parser("list", help="invoices and credit notes, newest first")
    common_args(c)
    c.add_argument("--customer", metavar="CODE")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)
    c = sub.add_parser("show", help="an invoice with its lines, as JSON")
    common_args(c)
    c.add_argument("invoice", metavar="NUMBER", help="e.g. INV-000042 or INV-42")
    c.set_defaults(func=cmd_show)
    c = sub.add_parser("pdf", help="write an invoice's PDF")
    common_args(c)
    c.add_argument("invoice", metavar="NUMBER")
    c.add_argument("--lang", choices=customers.LANGS, help="default: the customer's language")
    c.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    c.set_defaults(func=cmd_pdf)
    c = sub.add_parser("credit", help="issue the credit note that cancels an invoice (its calls can be invoiced again)")
    common_args(c)
    c.add_argument("invoice", metavar="NUMBER")
    c.add_argument("--reason", required=True, help="printed on the credit note")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_credit)
    c = sub.add_parser("mail", help="queue an invoice's PDF for e-mail to its customer (once per invoice)")
    common_args(c)
    c.add_argument("invoice", metavar="NUMBER")
    c.add_argument("--to", default="", metavar="ADDRESS", help="default: the customer's --email")
    c.add_argument("--json", action="store_true", help='{"invoice", "to", "outbox"}')
    c.set_defaults(func=cmd_mail)
    c = sub.add_parser("run", help="the monthly invoice run now: every postpaid customer invoiced for the month "
                       "before, the invoices mailed (as the jobs process does on [customers] invoice_day)")
    common_args(c)
    c.add_argument("--at", metavar="ISO", help="as if now were this (PBX local time); default now")
    c.add_argument("--json", action="store_true", help='{"period", "already", "customers": [...]}')
    c.set_defaults(func=cmd_run)


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what} {text!r}: write YYYY-MM-DD") from None


def period(args, tz) -> tuple[int, int]:
    """[since, until) in UTC seconds from --month or --since/--until (local days in `tz`)."""
    if args.month and (args.since or args.until):
        raise UsageError("give --month or --since/--until, not both")
    if args.month:
        first = _day(args.month + "-01", "--month")
        last = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    elif args.since and args.until:
        first, last = _day(args.since, "--since"), date.fromordinal(_day(args.until, "--until").toordinal() + 1)
    else:
        raise UsageError("the period: --month YYYY-MM, or --since and --until")
    since, until = (localtime.to_utc(datetime.combine(d, datetime.min.time()), tz)[0] for d in (first, last))
    return since, until


def cmd_issue(args) -> int:
    cfg, _paths = open_data(args)
    since, until = period(args, localtime.zone(cfg.section("pbx").timezone))
    items = [invoices.parse_item(text) for text in args.item]
    inv = invoices.issue(customers.get(args.customer), since, until, items, series=args.series.strip().upper(),
                         tax_rates=tax.rates(cfg))
    print(json.dumps(invoices.as_json(inv), ensure_ascii=False) if args.json else
          f"{invoices.label(inv)}: {inv.line_count} lines, net {inv.net}, tax {inv.tax}, total {inv.total} "
          f"{inv.currency}")
    return 0


def cmd_list(args) -> int:
    open_data(args)
    rows = [invoices.as_json(i) for i in invoices.invoices(customers.get(args.customer) if args.customer else None)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    for r in [] if args.json else rows:
        print(f"{r['invoice']}\t{r['customer']}\t{r['kind']}\t{r['total']} {r['currency']}"
              + (f"\tcredits {r['credits']}" if r["credits"] else ""))
    return 0


def cmd_show(args) -> int:
    open_data(args)
    print(json.dumps(invoices.as_json(invoices.find(args.invoice), with_lines=True), ensure_ascii=False, indent=1))
    return 0


def cmd_pdf(args) -> int:
    from appliance.pdf.invoice import invoice_pdf   # late: fpdf2, only for this command
    cfg, _paths = open_data(args)
    inv = invoices.find(args.invoice)
    data = invoice_pdf(inv, args.lang, localtime.zone(cfg.section("pbx").timezone))
    args.output.write_bytes(data)
    print(f"{invoices.label(inv)}: {args.output} ({len(data)} bytes)", file=sys.stderr)
    return 0


def cmd_credit(args) -> int:
    open_data(args)
    cn = invoices.credit(invoices.find(args.invoice), args.reason)
    print(json.dumps(invoices.as_json(cn), ensure_ascii=False) if args.json else
          f"{invoices.label(cn)} credits {cn.note}: total {cn.total} {cn.currency}")
    return 0


def cmd_mail(args) -> int:
    from appliance.delivery import invoice_mail   # late: the outbox and fpdf2, only for this command
    cfg, _paths = open_data(args)
    inv = invoices.find(args.invoice)
    row = invoice_mail.mail_invoice(inv, cfg, args.to)
    out = {"invoice": invoices.label(inv), "to": row.to, "outbox": row.outbox_id}
    print(json.dumps(out, ensure_ascii=False) if args.json else
          f"{out['invoice']}: queued for {out['to']} (outbox #{out['outbox']})")
    return 0


def cmd_run(args) -> int:
    from appliance.delivery import invoice_mail   # late: the outbox and fpdf2, only for this command
    cfg, _paths = open_data(args)
    at = iso_s(args.at, localtime.zone(cfg.section("pbx").timezone))
    result = invoice_mail.run_month(cfg, at, force=True)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    for item in result["customers"]:
        print(f"{item['customer']}\t{item['status']}\t{item.get('invoice', '')}\t{item.get('detail', '')}")
    print(f"invoice run {result['period']}: {sum(i['status'] == 'issued' for i in result['customers'])} issued")
    return 0
