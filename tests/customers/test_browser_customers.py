"""Price lists, customers and invoices in a real browser (headless Debian chromium, Playwright) against the real web
process: a bad price list refused with its line and column, the good one imported; a customer created; calls arrive
through the real pipeline (`callbox import` of IP Office records); a month's invoice issued and viewed, its PDF
downloaded, rendered (pdftoppm) and its total read back (pdftotext) equal to an independent sum; a credit note; a
prepaid top-up with the statement. Any JavaScript or unexpected HTTP error fails; each step is a screenshot."""
from __future__ import annotations

import re
import subprocess
from decimal import Decimal

import pytest
from browser_helpers import (CHROMIUM, CHROMIUM_ARGS, PASSWORD, Recorder, artifacts_dir, callbox, log_in, nav_to,
                             web_process)
from customers_helpers import kurus
from playwright.sync_api import sync_playwright
from shop_helpers import INI, PRICES
from test_invoice_pdf import amount
from test_shop_e2e import ipo_line

pytestmark = pytest.mark.slow
MAY = 1_777_593_600 + 3600            # 2026-05-01T01:00Z (the INI's PBX clock is UTC)
BAD = PRICES + "France,33,0.02,0,30,6,USD,TRY,0.05,0.20,x\n"


def shot(page, name: str) -> None:
    page.screenshot(path=str(artifacts_dir() / f"customers-{name}.png"), full_page=True)


def money(page, selector: str) -> str:
    return page.locator(selector).inner_text().replace("\xa0", "")


def test_price_lists_customers_and_invoices_in_the_browser(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "callbox.ini").write_text(INI, encoding="utf-8")
    callbox(data, "user", "add", "admin", "--admin", "--password-stdin", stdin=PASSWORD + "\n")
    records = tmp_path / "calls.log"
    calls = [("201", "0049301234567", "+49301234567", 61), ("202", "004915112345678", "+4915112345678", 130),
             ("201", "02125550101", "+902125550101", 95), ("203", "0049301234567", "+49301234567", 300)]
    records.write_bytes(b"".join(ipo_line(MAY + 600 * i, talk, ext, dialled, 9000 + i)
                                 for i, (ext, dialled, _e, talk) in enumerate(calls)))
    callbox(data, "import", "--driver", "avaya_ipoffice", str(records))
    (tmp_path / "bad.csv").write_text(BAD, encoding="utf-8")
    (tmp_path / "prices.csv").write_text(PRICES, encoding="utf-8")
    net = Decimal(sum(kurus(e164, talk) for ext, _d, e164, talk in calls if ext in ("201", "202")) + 2500) / 100
    total = net + (net * Decimal("0.20")).quantize(Decimal("0.01"))
    with web_process(data) as site, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = chromium.new_context(locale="en-GB", ignore_https_errors=True, accept_downloads=True)
        page = context.new_page()
        seen = Recorder(page)
        log_in(page, site, "admin")
        nav_to(page, "/pricelists")
        page.set_input_files("#import input[type=file]", str(tmp_path / "bad.csv"))
        page.click("#do-import")
        assert re.search(r"bad\.csv line 5, column group \(K\)|bad\.csv line 5", page.inner_text("#error"))
        shot(page, "pricelist-refused")
        page.set_input_files("#import input[type=file]", str(tmp_path / "prices.csv"))
        page.click("#do-import")
        page.wait_for_url(re.compile(r".*/pricelists\?list=default$"))
        assert page.locator("#rows tbody tr").count() == 3 and "Türkiye İstanbul" in page.inner_text("#rows")
        shot(page, "pricelists")

        nav_to(page, "/customers")
        page.fill("#new-customer input[name=code]", "acme")
        page.fill("#new-customer input[name=name]", "Acme Łódź Əliyev")
        page.fill("#new-customer input[name=extensions]", "201 202")
        page.fill("#new-customer input[name=tax_rate]", "20")
        page.select_option("#new-customer select[name=lang]", "az")
        page.click("#add-customer")
        page.wait_for_url(re.compile(r".*/customers/1$"))
        page.goto(site + "/customers")
        assert "Acme Łódź Əliyev" in page.inner_text("#customers")
        shot(page, "customers")

        page.goto(site + "/invoices")
        page.fill("#issue input[name=month]", "2026-05")
        page.fill("#issue textarea[name=items]", "Monthly fee=25.00")
        page.click("#do-issue")
        page.wait_for_url(re.compile(r".*/invoices/1$"))
        assert money(page, "#total") == f"TRY{total}" and money(page, "#net") == f"TRY{net}"
        assert page.locator("#lines tbody tr").count() == 4             # 3 calls of 201 and 202, the fee
        shot(page, "invoice")
        with page.expect_download() as got:
            page.click("#pdf")
        pdf = tmp_path / "invoice.pdf"
        got.value.save_as(pdf)
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf),
                        str(artifacts_dir() / "customers-invoice-pdf")], check=True)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
        assert "Hesab-faktura INV-000001" in text and "Acme Łódź Əliyev" in text     # the customer's language
        assert [amount(t, "az") for t in re.findall(r"^\s*Cəmi: (.+)$", text, re.M)] == [total]

        page.fill("#credit input[name=reason]", "wrong month")
        page.click("#do-credit")
        page.wait_for_url(re.compile(r".*/invoices/2$"))
        assert money(page, "#total") == f"-TRY{total}" and "CN-000001" in page.inner_text("h1")
        shot(page, "credit-note")
        page.goto(site + "/invoices")
        assert page.locator("#invoices tbody tr").count() == 2
        shot(page, "invoices")

        page.goto(site + "/customers/1")
        page.select_option("#edit-customer select[name=account]", "prepaid")
        page.fill("#edit-customer input[name=low_balance]", "100")
        page.click("#save-customer")
        page.wait_for_url(re.compile(r".*/customers/1$"))
        page.fill("#topup input[name=amount]", "50")
        page.click("#do-topup")
        page.wait_for_url(re.compile(r".*/customers/1$"))
        assert money(page, "#balance") == "TRY50.00" and page.locator("#balance-warning").count() == 1
        shot(page, "prepaid")
        page.click("header .lang summary")
        page.click("header .lang a[lang=az]")
        page.wait_for_load_state()
        assert "Əvvəlcədən ödənişli hesab" in page.inner_text("main")
        shot(page, "prepaid-az")
        context.close()
        chromium.close()
        refused = [e for e in seen.errors if e.startswith("HTTP 400 ") and e.endswith("/pricelists/import")
                   or e.startswith("console error:") and "status of 400" in e]     # the bad CSV, and only it
        assert len(refused) == 2 and [e for e in seen.errors if e not in refused] == []
