"""`callbox message report|list|sms`: the messages to customers (APP-5, issue 16): the accounting of a month per
customer (SMS sent and their units, e-mails), every message with its delivery state, and a test SMS queued for the
jobs process to send through the gateway ([sms]). The JSON fields are a contract."""
from __future__ import annotations

import json
import time
import uuid

from appliance import localtime
from appliance.cli.common import UsageError, open_data
from appliance.cli.invoice import period
from appliance.customers import customers
from appliance.delivery import sms
from appliance.messages import report, rules
from appliance.procs import common_args

TOTAL_FIELDS = ("customer", "name", "sms", "sms_units", "sms_waiting", "emails", "failed")
ROW_FIELDS = ("id", "queued_utc", "channel", "rule", "customer", "to", "from", "text", "encoding", "chars", "units",
              "status", "attempts", "error", "done_utc")


def _period(p) -> None:
    common_args(p)
    p.add_argument("--month", metavar="YYYY-MM", help="a calendar month (local days)")
    p.add_argument("--since", metavar="YYYY-MM-DD")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="the last day, included")
    p.add_argument("--json", action="store_true", help="one JSON object a line")


def register(subparsers) -> None:
    """Add `message` and its commands to the callbox parser's subparsers."""
    t = subparsers.add_parser("message", help="messages to customers: the SMS accounting, the list, a test SMS")
    sub = t.add_subparsers(dest="message_command", metavar="report|list|sms", required=True, parser_class=type(t))
    c = sub.add_parser("report", help="per customer: SMS sent, their units, waiting, e-mails sent, failed")
    _period(c)
    c.set_defaults(func=cmd_report)
    c = sub.add_parser("list", help="every message of the period with its delivery state, newest first")
    _period(c)
    c.add_argument("--customer", metavar="CODE", help="only this customer's")
    c.set_defaults(func=cmd_list)
    c = sub.add_parser("sms", help="queue an SMS (the jobs process sends it through [sms]; see `message list`)")
    common_args(c)
    c.add_argument("to", metavar="NUMBER")
    c.add_argument("text", metavar="TEXT")
    c.add_argument("--customer", metavar="CODE", help="count it for this customer")
    c.set_defaults(func=cmd_sms)


def _codes() -> dict[int, str]:
    return {c.id: c.code for c in customers.all_customers()}


def cmd_report(args) -> int:
    cfg, _paths = open_data(args)
    since, until = period(args, localtime.zone(cfg.section("pbx").timezone))
    for t in report.totals(since, until):
        row = dict(zip(TOTAL_FIELDS, (t.code or None, t.name, t.sms, t.sms_units, t.sms_open, t.emails, t.failed)))
        print(json.dumps(row, ensure_ascii=False) if args.json else
              "\t".join(str(row[k] if row[k] is not None else "-") for k in TOTAL_FIELDS))
    return 0


def cmd_list(args) -> int:
    cfg, _paths = open_data(args)
    since, until = period(args, localtime.zone(cfg.section("pbx").timezone))
    cid = customers.get(args.customer).id if args.customer else None
    codes = _codes()
    for r in report.messages(since, until, customer_id=cid):
        row = dict(zip(ROW_FIELDS, (r.id, r.created_utc, r.channel, r.rule, codes.get(r.customer_id or 0),
                                    r.recipient, r.sender, r.text, r.encoding, r.chars, r.units, r.status,
                                    r.attempts, r.error, r.done_utc)))
        print(json.dumps(row, ensure_ascii=False) if args.json else
              f"{r.id}\t{r.channel}\t{r.status}\t{r.recipient}\t{r.units}\t{r.text[:60]}")
    return 0


def cmd_sms(args) -> int:
    cfg, paths = open_data(args)
    gw = sms.read_settings(cfg, paths.data)
    if gw is None:
        raise UsageError("no SMS gateway is set: [sms] url")
    cid = customers.get(args.customer).id if args.customer else None
    m = rules.queue_sms("test", f"test:{uuid.uuid4().hex}", args.to, args.text, cid, gw.sender, int(time.time()))
    assert m is not None      # a fresh ref
    print(f"message {m.id} queued (outbox item {m.outbox_id}): {m.units} SMS, {m.encoding}, {m.chars} characters")
    return 0
