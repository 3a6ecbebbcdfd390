"""Messages to customers (APP-5, issue 16): every SMS and e-mail the notification rules queued, with its delivery
state from the outbox, and the accounting report of a month per customer (SMS sent and their units, e-mails; seed
004). Read-only: the jobs process queues and sends them. Administrators of the whole box, like the customers."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import bottle
from bottle import request

from appliance import config, localtime
from appliance.customers import customers
from appliance.messages import report
from webui import db, row_id
from webui.i18n import N_, _, fmt_at
from webui.invoices import month_bounds
from webui.reports.common import render

STATUS_LABELS = {"queued": N_("queued"), "failed": N_("failing, will be retried"), "sent": N_("sent"),
                 "discarded": N_("discarded"), "gone": N_("unknown (outbox record pruned)")}
RULE_LABELS = {"lost_caller_sms": N_("Lost caller: SMS"), "notes_email": N_("Call notes: e-mail"),
               "test": N_("Test")}
CHANNEL_LABELS = {"sms": N_("SMS"), "email": N_("E-mail")}
MAX_ROWS = 1000


def routes(data_dir: Path, cfg: config.Config) -> bottle.Bottle:
    """GET /messages?month=YYYY-MM&customer=ID."""
    app = bottle.Bottle()
    data_dir = Path(data_dir)
    tz = localtime.zone(cfg.section("pbx").timezone)

    @app.get("/messages")
    def messages():
        q = request.query.decode()
        month = (q.get("month") or "").strip() or datetime.now(tz).strftime("%Y-%m")
        since, until = month_bounds(month, tz)
        cid = row_id((q.get("customer") or "").strip())

        def work():
            rows = report.messages(since, until, customer_id=cid, limit=MAX_ROWS)
            return rows, report.totals(since, until), {c.id: c for c in customers.all_customers()}
        rows, totals, names = db.read(data_dir, work)
        return render("messages", title=_("Messages"), month=month, rows=rows, totals=totals, names=names,
                      customer=names.get(cid), status=STATUS_LABELS, rules=RULE_LABELS, channels=CHANNEL_LABELS,
                      capped=len(rows) >= MAX_ROWS,
                      at=lambda t: fmt_at(t, tz))

    return app
