"""Invoices (REP-9): issued from a customer's calls at the sell price and extra items, numbered without a gap under
concurrent issue (threads and processes), immutable (a database trigger refuses UPDATE and DELETE, raw SQL
included), corrected by credit notes."""
from __future__ import annotations

import multiprocessing
import sqlite3
from decimal import Decimal

import pytest
from customers_helpers import MAY_2026, NUMBERS, add_call, issue_many, kurus, store_prices

from appliance import store
from appliance.customers import customers, invoices
from appliance.customers.invoices import InvoiceError, Item

T = MAY_2026[0] + 3600


@pytest.fixture
def acme(db):
    store_prices()
    return customers.add("acme", "Acme Ltd", extensions=["301"], accounts=["7001"], tax_rate="20")


def test_an_invoice_is_the_calls_at_sell_price_plus_items_with_the_tax_rounded_once(acme):
    talks = [61, 130, 95, 29, 31, 36, 37, 3599]
    nums = [NUMBERS["Germany"], NUMBERS["Germany mobile"], NUMBERS["Türkiye İstanbul"]]
    ids = [add_call("301", nums[i % 3], T + 1000 * i, t) for i, t in enumerate(talks)]
    add_call("301", NUMBERS["Germany"], MAY_2026[1], 60)          # June: another period
    inv = invoices.issue(acme, *MAY_2026, [Item("Monthly fee", Decimal("25.00"))], now=T + 10 ** 6)
    lines = invoices.lines_of(inv)
    assert [line.call_id for line in lines] == ids + [None]
    calls_kurus = sum(kurus(nums[i % 3], t) for i, t in enumerate(talks))
    net_kurus = calls_kurus + 2500
    tax_kurus = (net_kurus * 20 + 50) // 100                        # half up, once on the net
    assert (inv.net, inv.tax, inv.total, inv.currency) == (
        str(Decimal(net_kurus) / 100), str(Decimal(tax_kurus) / 100), str(Decimal(net_kurus + tax_kurus) / 100),
        "TRY")
    assert invoices.label(inv) == "INV-000001" and inv.line_count == len(talks) + 1
    # the calls are invoiced: a second invoice of the period has only what is new
    with pytest.raises(InvoiceError, match="nothing to invoice"):
        invoices.issue(acme, *MAY_2026)
    late = add_call("301", NUMBERS["Germany"], T + 99_000, 61)
    second = invoices.issue(acme, *MAY_2026)
    assert [line.call_id for line in invoices.lines_of(second)] == [late] and second.number == 2


def test_a_credit_note_cancels_an_invoice_and_its_calls_can_be_invoiced_again(acme):
    a = add_call("301", NUMBERS["Germany"], T, 61)
    inv = invoices.issue(acme, *MAY_2026)
    with pytest.raises(InvoiceError, match="states its reason"):
        invoices.credit(inv, " ")
    cn = invoices.credit(inv, "wrong price list")
    assert (invoices.label(cn), cn.kind, cn.credits, cn.total, cn.note) == (
        "CN-000001", "credit", inv.id, "-0.53", "INV-000001: wrong price list")
    assert [(line.call_id, line.amount) for line in invoices.lines_of(cn)] == [(a, "-0.44")]
    with pytest.raises(InvoiceError, match="credited already by CN-000001"):
        invoices.credit(inv, "again")
    with pytest.raises(InvoiceError, match="is a credit note"):
        invoices.credit(cn, "a credit of a credit")
    again = invoices.issue(acme, *MAY_2026)
    assert (invoices.label(again), [line.call_id for line in invoices.lines_of(again)]) == ("INV-000002", [a])
    assert invoices.find("inv-2").id == again.id and invoices.find(str(cn.id)).id == cn.id


def test_an_unpriced_call_refuses_the_invoice_with_the_reason(acme):
    add_call("301", "+33123456789", T, 61)
    with pytest.raises(InvoiceError, match=r"1 calls have no sell price \(call \d+: no prefix of price list"):
        invoices.issue(acme, *MAY_2026)
    with pytest.raises(InvoiceError, match="finer than the minor unit 0.01 of TRY"):
        invoices.issue(acme, *MAY_2026, [Item("fee", Decimal("1.005"))])
    assert invoices.invoices() == []


def test_an_issued_invoice_cannot_change_not_even_by_raw_sql(acme, tmp_path):
    add_call("301", NUMBERS["Germany"], T, 61)
    inv = invoices.issue(acme, *MAY_2026, [Item("fee", Decimal("1.00"))])
    store.close_db()
    con = sqlite3.connect(tmp_path / "callbox.db")
    for sql in (f"UPDATE invoice SET total = '0' WHERE id = {inv.id}",
                f"DELETE FROM invoice WHERE id = {inv.id}",
                f"UPDATE invoice_line SET amount = '0' WHERE invoice_id = {inv.id}",
                f"DELETE FROM invoice_line WHERE invoice_id = {inv.id}",
                f"INSERT INTO invoice_line (invoice_id, position, description, amount, start, number, destination, "
                f"talk_s) VALUES ({inv.id}, 9, 'added later', '100', '', '', '', 0)"):
        with pytest.raises(sqlite3.IntegrityError, match="an issued invoice cannot change: issue a credit note"):
            con.execute(sql)
    assert con.execute("SELECT total FROM invoice").fetchall() == [(inv.total,)]
    assert con.execute("SELECT COUNT(*) FROM invoice_line").fetchone() == (2,)
    con.close()


def test_numbers_have_no_gap_under_concurrent_issue_from_threads_and_processes(acme, tmp_path):
    """3 processes x 2 threads x 6 invoices, all started together, while this process's threads issue too and
    (3 x 4): the numbers are exactly 1..N, each once."""
    path = str(tmp_path / "callbox.db")
    store.close_db()
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Manager().Event()
    with ctx.Pool(3) as pool:
        pending = [pool.apply_async(issue_many, (path, "acme", 2, 6, start)) for _ in range(3)]
        start.set()
        here = issue_many(path, "acme", 3, 4)
        got = sorted(here + [n for p in pending for n in p.get(timeout=120)])
    assert got == list(range(1, 3 * 2 * 6 + 3 * 4 + 1))
    store.open_db(tmp_path / "callbox.db")
    assert sorted(i.number for i in invoices.invoices()) == got


@pytest.mark.parametrize("text", ["fee=1e3", "fee=NaN", "fee=1,50", "=5", "fee", "fee=9999999999999.00", "fee=+5"])
def test_a_bad_item_is_refused_with_the_form_it_needs(text):
    with pytest.raises(InvoiceError, match="write DESCRIPTION=AMOUNT"):
        invoices.parse_item(text)


def test_an_item_may_be_a_discount():
    assert invoices.parse_item("Rabatt = -2.50") == Item("Rabatt", Decimal("-2.50"))
