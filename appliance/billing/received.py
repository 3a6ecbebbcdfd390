"""Bills over a central's received calls (APP-1, RAT-8): a person of a branch box, or one extension there, for a
period, with the branch box as the bill's filter.

A branch's calls come priced and attributed by the branch (person, department as of the call, in its directory);
the central bills them as they came: each outgoing call attributed to the person (or made from the extension) in
the period, its stored price, subtotals per number class. The unit prices that made a price, the allowances and the
line charges are the branch's own definitions and stay on the branch (`callbox bill` there); the central's bill
says so in each line's note. On SQLite or PostgreSQL ([central] database).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from decimal import Decimal

from appliance.billing.bills import Bill, BillLine, _subtotals
from appliance.billing.usage import BillingError, Period
from appliance.store.central_db import connection, execute
from appliance.store.sync import CentralBranch

ZERO = Decimal(0)
NOTE = "priced on the branch"
_COLUMNS = ("rid", "start_utc", "utc_offset", "extension", "number", "kind", "destination", "ring_s", "talk_s",
            "tariff", "cost", "currency", "person")


def person_id(label: str) -> str:
    """The external id in a received call's person ("Name (ID)", or "ID" for a person without a name)."""
    name, sep, rest = label.rpartition(" (")
    return rest[:-1] if sep and name and rest.endswith(")") else label


def person_name(label: str) -> str:
    name, sep, rest = label.rpartition(" (")
    return name if sep and name and rest.endswith(")") else ""


def _rows(branch: str, since: int, until: int, tenants: tuple[str, ...] | None) -> list[dict]:
    cond = ["branch = ?", "direction = 'out'", "start_utc >= ?", "start_utc < ?"]
    args: list = [branch, since, until]
    if tenants is not None:
        cond.append(f"tenant IN ({', '.join('?' * len(tenants)) or 'NULL'})")
        args += list(tenants)
    sql = f"SELECT {', '.join(_COLUMNS)} FROM central_call WHERE {' AND '.join(cond)} ORDER BY start_utc, rid"
    with connection():
        return [dict(zip(_COLUMNS, r)) for r in execute(sql, args)]


def known(branch: str) -> bool:
    with connection():
        return CentralBranch.get_or_none(CentralBranch.name == branch) is not None


def people(branch: str, period: Period, tenants: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(external id, name) of the people of `branch` with outgoing calls in `period`, by name."""
    found: dict[str, str] = {}
    for r in _rows(branch, period.since, period.until, tenants):
        if r["person"]:
            found.setdefault(person_id(r["person"]), person_name(r["person"]))
    return sorted(found.items(), key=lambda p: (p[1].casefold() or p[0].casefold(), p[0]))


def bill(branch: str, period: Period, person: str | None = None, extension: str | None = None,
         tenants: tuple[str, ...] | None = None, tz: tzinfo | None = None) -> Bill:
    """The bill of a person (their external id on the branch) or of one extension of branch box `branch`: its
    outgoing calls in `period` as the branch priced them. BillingError for an unknown branch box or no subscriber."""
    if (person is None) == (extension is None):
        raise BillingError("a bill is for a person or for an extension")
    if not known(branch):
        raise BillingError(f"no branch box {branch!r} on this central (callbox central branch list)")
    rows = [r for r in _rows(branch, period.since, period.until, tenants)
            if (person_id(r["person"]) == person if person is not None
                else r["extension"].strip() == str(extension).strip())]
    currencies = sorted({r["currency"] for r in rows if r["cost"] is not None})
    if len(currencies) > 1:
        raise BillingError(f"the calls are priced in several currencies ({', '.join(currencies)})")
    lines = []
    for r in rows:
        cost = None if r["cost"] is None else Decimal(r["cost"])
        tz = timezone(timedelta(seconds=r["utc_offset"]))
        lines.append(BillLine(r["rid"], datetime.fromtimestamp(r["start_utc"], tz), r["extension"].strip(),
                              r["number"], r["kind"], r["destination"], r["ring_s"], r["talk_s"], r["tariff"], (),
                              None, cost, ZERO, (), cost or ZERO, "not priced" if cost is None else NOTE))
    name = next((person_name(r["person"]) for r in rows if person_name(r["person"])), "")
    b = Bill(person if person is not None else f"ext:{extension}", name, period, currencies[0] if currencies else "",
             lines, _subtotals(lines), tz=tz, branch=branch)
    b.total = sum((line.amount for line in lines), ZERO)
    return b
