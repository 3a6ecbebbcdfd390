"""Shared by the customer tests: a price list in TRY with a USD buy side, a rate, and stored calls."""
from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from appliance import store
from appliance.pricing import lists, pricelist_csv

PRICES = """destination,prefix,buy,sell,first_s,step_s,buy_currency,sell_currency,connection_fee,minimum
Germany,49,0.02,0.35,30,6,USD,TRY,0.05,0.20
Germany mobile,4915,0.05,0.85,60,60,USD,TRY,,1.00
Türkiye İstanbul,90212,0.01,0.12,1,1,TRY,TRY,,
"""
NUMBERS = {"Germany": "+49301234567", "Germany mobile": "+4915112345678", "Türkiye İstanbul": "+902125550101"}
MAY_2026 = (1_777_593_600, 1_780_272_000)    # 2026-05-01T00:00Z .. 2026-06-01T00:00Z
_ids = itertools.count(5000)


def store_prices() -> None:
    lists.save_lists(pricelist_csv.read_csv(PRICES))
    lists.add_rate("EUR", "TRY", date(2026, 1, 1), Decimal("40"))
    lists.add_rate("EUR", "TRY", date(2026, 5, 16), Decimal("50"))


def add_call(extension: str, number: str, start_utc: int, talk_s: int, account: str = "",
             direction: str = "out") -> int:
    cid = next(_ids)
    store.Call.create(id=cid, driver="avaya_ipoffice", call_key=str(cid), start_utc=start_utc, utc_offset=10800,
                      direction=direction, extension=extension, party=number, trunk="9005", ring_s=2, talk_s=talk_s,
                      answered=talk_s > 0, transferred=False, account_code=account, legs=1, number=number)
    return cid


def kurus(number: str, talk_s: int) -> int:
    """PRICES applied by hand in whole kuruş (integer arithmetic only), independent of appliance.pricing."""
    if talk_s == 0:
        return 0
    if number.startswith("+4915"):          # 60/60, 0.85 a minute, at least 1.00
        return max(-(-talk_s // 60) * 85, 100)
    if number.startswith("+49"):            # 30/6, 0.35 a minute + 0.05, at least 0.20
        charged = 30 if talk_s <= 30 else 30 + -(-(talk_s - 30) // 6) * 6
        return max(-(-(charged * 35) // 60) + 5, 20)
    return -(-(talk_s * 12) // 60)          # 1/1, 0.12 a minute


def issue_many(path: str, code: str, threads: int, each: int, start: object = None) -> list[int]:
    """In a process of its own (spawn): open the database and issue `threads` x `each` invoices of one item from as
    many threads at once (a barrier lines them up), each issue in its own transaction; the numbers they got."""
    import threading

    from appliance.customers import customers, invoices

    store.open_db(path)
    got: list[int] = []
    ready = threading.Barrier(threads)

    def work(k: int) -> None:
        ready.wait()
        try:
            c = customers.get(code)
            for i in range(each):
                inv = invoices.issue(c, MAY_2026[0], MAY_2026[1], [invoices.Item(f"fee {k}.{i}", Decimal("1.00"))])
                got.append(inv.number)
        finally:
            store.db.close()

    if start is not None:
        start.wait()   # a multiprocessing Event: every process starts issuing together
    ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    store.close_db()
    return got
