"""What the differences between an itemised bill and the stored calls mean (RAT-9), and the result as CSV.

Each finding is a dict: `cause` (plan, link, clock, unseen, unbilled, price, start), `text` for people, and the
figures behind it. The rules, in the order they are applied:
- plan: a destination with at least two price differences, on at least half of its matched calls, all in the
  same direction: its tariff is off (each row's note names it). Other price differences stay `price`, one by one.
- link: a run of invoice calls the box never saw (no matched call between them) with no call of any kind stored
  from `quiet_s` before the run to `quiet_s` after it: the PBX link lost data; its link events are named.
  A missing call with stored calls around it is `unseen` (not on the PBX's trunks, or its record was not printed).
- clock: three or more matches whose starts differ in the same direction by about as much (within 10 s): the
  PBX clock is off. Other start differences stay `start`, one by one.
- unbilled: stored calls the invoice does not have (another operator's trunk, free calls, or the operator's gap).
"""
from __future__ import annotations

import csv
import io
import logging
from decimal import Decimal

from appliance import store
from appliance.reconcile.match import Result, Row
from appliance.reports import csv_cells

log = logging.getLogger(__name__)
COLUMNS = ("status", "issues", "cause", "invoice_row", "invoice_start", "box_call_id", "box_start", "number",
           "invoice_duration_s", "box_duration_s", "invoice_amount", "box_cost", "difference", "destination", "note")


def _plan(result: Result) -> list[dict]:
    by_dest: dict[str, list[Row]] = {}
    for r in result.rows:
        if r.status == "matched":
            by_dest.setdefault(r.call.destination, []).append(r)   # type: ignore[union-attr]
    out = []
    for dest, rows in sorted(by_dest.items()):
        off = [r for r in rows if "price" in r.issues]
        signs = {(r.price_diff or 0) > 0 for r in off}
        consistent = len(off) >= 2 and len(off) * 2 >= len(rows) and len(signs) == 1
        for r in off:
            r.note = (f"plan: {dest or 'no destination'} priced differently" if consistent
                      else f"price differs by {r.price_diff}")
        if consistent:
            diff = sum((r.price_diff or Decimal(0) for r in off), Decimal(0))
            out.append({"cause": "plan", "destination": dest, "calls": len(off), "of": len(rows),
                        "difference": str(diff),
                        "text": f"destination {dest or '(none)'}: {len(off)} of {len(rows)} calls priced "
                                f"{'below' if diff > 0 else 'above'} the invoice, {diff} in total: the tariff "
                                f"plan's rate for it is wrong"})
        else:
            out += [{"cause": "price", "invoice_row": r.invoice.row, "difference": str(r.price_diff),  # type: ignore
                     "text": f"invoice line {r.invoice.row}: priced {r.call.cost} by the box, "  # type: ignore
                             f"{r.invoice.amount} by the operator"} for r in off]  # type: ignore[union-attr]
    return out


def _stored_between(since: int, until: int) -> int:
    return store.Call.select().where(store.Call.start_utc >= since, store.Call.start_utc <= until).count()


def _link_events(since: int, until: int) -> list[str]:
    L = store.LinkEvent
    q = L.select().where(L.at_ns >= since * 10**9, L.at_ns <= until * 10**9).order_by(L.at_ns)
    return [f"{e.event} {e.source}" for e in q]


def _missing(result: Result, quiet_s: int) -> list[dict]:
    runs: list[list[Row]] = []
    current: list[Row] = []
    for r in result.rows:
        if r.status == "missing":
            current.append(r)
        elif r.status == "matched" and current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    out = []
    for run in runs:
        lo, hi = run[0].invoice.start_utc, run[-1].invoice.start_utc   # type: ignore[union-attr]
        quiet = _stored_between(lo - quiet_s, hi + quiet_s) == 0
        for r in run:
            r.note = "link: no call stored around it" if quiet else "unseen: calls stored around it"
        first, last = run[0].invoice.local, run[-1].invoice.local      # type: ignore[union-attr]
        if quiet:
            events = _link_events(lo - quiet_s, hi + quiet_s)
            out.append({"cause": "link", "calls": len(run), "from": first, "to": last, "events": events,
                        "text": f"{len(run)} invoice call(s) from {first} to {last} and no call stored around "
                                f"them: the PBX link lost data" + (f" ({'; '.join(events)})" if events else "")})
        else:
            for r in run:
                i = r.invoice
                assert i is not None
                out.append({"cause": "unseen", "invoice_row": i.row,
                            "text": f"invoice line {i.row} ({i.local}, {i.printed}): the box stored calls around "
                                    f"it but not this one"})
    return out


def _clock(result: Result) -> list[dict]:
    off = [r for r in result.rows if "start" in r.issues]
    diffs = sorted(r.start_diff or 0 for r in off)
    if len(off) >= 3 and (diffs[0] > 0 or diffs[-1] < 0) and diffs[-1] - diffs[0] <= 10:
        median = diffs[len(diffs) // 2]
        for r in off:
            r.note = r.note or f"clock: the PBX clock is {abs(median)} s {'behind' if median > 0 else 'ahead'}"
        return [{"cause": "clock", "calls": len(off), "seconds": median,
                 "text": f"{len(off)} calls start {abs(median)} s {'later' if median > 0 else 'earlier'} on the "
                         f"invoice: the PBX clock is off"}]
    for r in off:
        r.note = r.note or f"start differs by {r.start_diff} s"
    return [{"cause": "start", "invoice_row": r.invoice.row, "seconds": r.start_diff,          # type: ignore
             "text": f"invoice line {r.invoice.row}: starts {r.start_diff} s from the box's call "  # type: ignore
                     f"{r.call.id}"} for r in off]                                               # type: ignore


def explain(result: Result, quiet_s: int = 600) -> Result:
    """Fill in the findings and each row's note; returns the result."""
    findings = _plan(result) + _missing(result, quiet_s) + _clock(result)
    extra = [r for r in result.rows if r.status == "extra"]
    for r in extra:
        r.note = "unbilled: not on the invoice"
    if extra:
        findings.append({"cause": "unbilled", "calls": len(extra),
                         "text": f"{len(extra)} stored call(s) not on the invoice: another operator's trunk, free "
                                 f"calls, or calls the operator did not bill"})
    result.findings = findings
    return result


def _cause(r: Row) -> str:
    return r.note.split(":", 1)[0] if ":" in r.note else ("price" if "price" in r.issues else
                                                          "start" if "start" in r.issues else "")


def as_dicts(result: Result) -> list[dict]:
    """One dict per row, COLUMNS keys, amounts as exact text."""
    out = []
    for r in result.rows:
        i, c = r.invoice, r.call
        diff = r.price_diff if i and c else (i.amount if i else -(c.cost or 0) if c else None)
        out.append({"status": r.status, "issues": " ".join(r.issues), "cause": _cause(r),
                    "invoice_row": i.row if i else "", "invoice_start": i.local if i else "",
                    "box_call_id": c.id if c else "", "box_start": c.local if c else "",
                    "number": (i.number if i else c.number if c else ""),
                    "invoice_duration_s": i.duration_s if i else "", "box_duration_s": c.talk_s if c else "",
                    "invoice_amount": str(i.amount) if i else "",
                    "box_cost": "" if c is None or c.cost is None else str(c.cost),
                    "difference": "" if diff is None else str(diff),
                    "destination": c.destination if c else "", "note": r.note})
    return out


def to_csv(result: Result) -> str:
    """The rows as CSV (a header, then one line per row, then the totals), text neutralised against formulas."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for d in as_dicts(result):
        w.writerow(csv_cells.row([d[k] for k in COLUMNS]))
    w.writerow(["total", "", "", "", "", "", "", "", "", "", str(result.invoice_total), str(result.box_total),
                str(result.difference), "", ""])
    return out.getvalue()
