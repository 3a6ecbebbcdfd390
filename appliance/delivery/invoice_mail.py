"""Customers' invoices by e-mail (REP-9, RAT-11): an invoice's PDF queued through the outbox to the customer's
address, subject and text in their invoice language, once per invoice (InvoiceMail; the outbox key too); and the
automatic monthly run ([customers] invoice_day, invoice_time) the jobs process checks every minute: on that day of
each month, from that time on (PBX local), every postpaid customer is invoiced for the month before and the new
invoice mailed. A month is claimed once (InvoiceRun), so two workers or a restart never invoice it twice; a box that
was off on the day runs the month when it is back.

Who the run skips, with the reason in its record: prepaid customers (their receipt is issued by hand), fixed-price
contracts (a flat fee, not their calls: invoiced by hand), customers with nothing to invoice; a customer the box
cannot price is an error of that customer only. An invoice whose customer has no e-mail is issued but not mailed."""
from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from pathlib import Path

from appliance import config, localtime
from appliance.customers import customers, invoices, tax
from appliance.delivery import mail, mail_text
from appliance.pdf import invoice_text
from appliance.store.base import IMMEDIATE
from appliance.store.customers import Invoice, InvoiceMail, InvoiceRun

log = logging.getLogger(__name__)


class InvoiceMailError(ValueError):
    """An invoice that cannot be mailed (no address), or a bad [customers] invoice_time."""


def _period_text(inv: Invoice, tz: tzinfo) -> str:
    first = datetime.fromtimestamp(inv.since_utc, tz).date()
    last = datetime.fromtimestamp(inv.until_utc, tz).date() - timedelta(days=1)
    return first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"


def mail_invoice(inv: Invoice, cfg: config.Config, to: str = "", now: int | None = None) -> InvoiceMail:
    """Queue the invoice's PDF to `to` (default: the customer's e-mail), in the customer's language; an invoice is
    mailed once (the existing record is returned)."""
    done = InvoiceMail.get_or_none(InvoiceMail.invoice == inv.id)
    if done is not None:
        return done
    c = inv.customer
    address = to.strip() or c.email
    if not address:
        raise InvoiceMailError(f"customer {c.code} has no e-mail address (callbox customer edit {c.code} --email ...)")
    from appliance.pdf.invoice import invoice_pdf     # fpdf2 only when an invoice is mailed
    tz = localtime.zone(cfg.section("pbx").timezone)
    lang = mail_text.language(inv.lang, cfg.section("mail").language)
    pdf_lang = inv.lang if inv.lang in customers.LANGS else "en"
    kind = invoice_text.text(pdf_lang, "Credit note" if inv.kind == "credit" else "Invoice")
    number = invoices.label(inv)
    fields = dict(kind=kind, kind_lower=kind.lower(), number=number, customer=c.name,
                  company=cfg.section("box").company or "Callbox", period=_period_text(inv, tz),
                  total=f"{Decimal(inv.total)} {inv.currency}")
    subject, body = (mail_text.text(lang, key, **fields) for key in ("invoice_subject", "invoice_body"))
    outbox_id = mail.queue([a.strip() for a in address.split(",") if a.strip()], subject, body,
                           [(f"{number}.pdf", invoice_pdf(inv, pdf_lang, tz))], key=f"invoice:{number}")
    with InvoiceMail._meta.database.atomic(IMMEDIATE):
        row = InvoiceMail.create(invoice=inv.id, to=address, outbox_id=outbox_id,
                                 queued_utc=int(time.time() if now is None else now))
    log.info("invoice %s queued for e-mail to %s (outbox #%s)", number, address, outbox_id)
    return row


def month_before(now: int, tz: tzinfo) -> tuple[str, int, int]:
    """("YYYY-MM", since, until) of the calendar month before the one `now` is in, PBX local."""
    today = datetime.fromtimestamp(now, tz).date()
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    end = today.replace(day=1)
    since, until = (localtime.to_utc(datetime.combine(d, datetime.min.time()), tz)[0] for d in (first, end))
    return first.strftime("%Y-%m"), since, until


def _at(text: str) -> tuple[int, int]:
    try:
        h, m = (int(p) for p in text.strip().split(":"))
        if not (0 <= h < 24 and 0 <= m < 60):
            raise ValueError
    except ValueError:
        raise InvoiceMailError(f"[customers] invoice_time {text!r}: write HH:MM, e.g. 06:00") from None
    return h, m


def due(cfg: config.Config, now: int) -> bool:
    """Whether this month's run is due at `now`: the day and time reached ([customers] invoice_day 0: never)."""
    s = cfg.section("customers")
    if not s.invoice_day:
        return False
    local = datetime.fromtimestamp(now, localtime.zone(cfg.section("pbx").timezone))
    h, m = _at(s.invoice_time)
    return (local.day, local.hour, local.minute) >= (s.invoice_day, h, m)


def _claim(period: str, now: int) -> InvoiceRun | None:
    with InvoiceRun._meta.database.atomic(IMMEDIATE):
        if InvoiceRun.get_or_none(InvoiceRun.period == period) is not None:
            return None
        return InvoiceRun.create(period=period, started_utc=now)


def run_month(cfg: config.Config, now: int | None = None, force: bool = False) -> dict:
    """Invoice every postpaid customer for the month before `now` and mail the invoices; once per month (a second run
    returns {"period", "already": True}) unless `force` (a person at the CLI: customers invoiced already have
    nothing new, so nothing is issued twice)."""
    t = int(time.time() if now is None else now)
    tz = localtime.zone(cfg.section("pbx").timezone)
    period, since, until = month_before(t, tz)
    rates = tax.rates(cfg)     # a bad table: ConfigError before the month is claimed
    run = _claim(period, t)
    if run is None and not force:
        return {"period": period, "already": True, "customers": []}
    done = []
    for c in customers.all_customers():
        item: dict = {"customer": c.code}
        if c.account != "postpaid" or c.monthly_fee:
            item.update(status="skipped", detail="prepaid" if c.account != "postpaid" else "fixed-price contract")
            done.append(item)
            continue
        try:
            inv = invoices.issue(c, since, until, tax_rates=rates, now=t)
        except (invoices.InvoiceError, customers.CustomerError) as e:
            nothing = "nothing to invoice" in str(e)
            item.update(status="skipped" if nothing else "error", detail=str(e))
            if not nothing:
                log.error("invoice run %s: %s", period, e)
            done.append(item)
            continue
        item.update(status="issued", invoice=invoices.label(inv), total=inv.total, currency=inv.currency)
        if c.email:
            try:
                item["outbox"] = mail_invoice(inv, cfg, now=t).outbox_id
            except (ValueError, InvoiceMailError) as e:   # a bad address: the invoice stands, the mail is the error
                item.update(status="error", detail=f"issued, not mailed: {e}")
        done.append(item)
    if run is not None:
        with InvoiceRun._meta.database.atomic(IMMEDIATE):
            InvoiceRun.update(detail=json.dumps(done, ensure_ascii=False)).where(InvoiceRun.id == run.id).execute()
    log.info("invoice run %s: %s issued, %s errors", period, sum(d["status"] == "issued" for d in done),
             sum(d["status"] == "error" for d in done))
    return {"period": period, "already": False, "customers": done}


def check(cfg: config.Config, data_dir: Path, now: int | None = None) -> dict | None:
    """The jobs process's every-minute check: the month's run when it is due and not run yet; None otherwise."""
    t = int(time.time() if now is None else now)
    try:
        if not due(cfg, t):
            return None
    except InvoiceMailError as e:
        log.error("%s: no automatic invoices", e)
        return None
    period = month_before(t, localtime.zone(cfg.section("pbx").timezone))[0]
    if InvoiceRun.get_or_none(InvoiceRun.period == period) is not None:
        return None
    try:
        return run_month(cfg, t)
    except config.ConfigError as e:
        log.error("%s: no automatic invoices until it is fixed", e)
        return None


def runs() -> list[dict]:
    """The automatic runs, newest first."""
    return [{"period": r.period, "started_utc": r.started_utc, "customers": json.loads(r.detail)}
            for r in InvoiceRun.select().order_by(InvoiceRun.period.desc())]


__all__ = ["InvoiceMailError", "check", "due", "mail_invoice", "month_before", "run_month", "runs"]
