"""The invoice PDF (REP-9) in every PDF language: rendered by poppler (pdftoppm), its text read back (pdftotext), the
total read from it equal to the stored data, and Turkish, Cyrillic, Azerbaijani and Polish names written as given."""
from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from customers_helpers import MAY_2026, NUMBERS, add_call, kurus, store_prices

from appliance.customers import customers, invoices
from appliance.customers.invoices import Item
from appliance.pdf import LANGS
from appliance.pdf.invoice import invoice_pdf
from appliance.pdf.invoice_text import text

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
NAME = "Zakład Łódź – Güneş Şirketi – Кабини – Əliyev"
T = MAY_2026[0] + 3600


def amount(written: str, lang: str) -> Decimal:
    """An amount as the PDF wrote it (₺1.234,56 / 1 234,56 TRY / TRY 1,234.56) -> Decimal, by the language's
    separators: the PDF's own formatting is not reused to read it back."""
    digits = re.sub(r"[^\d.,\-−]", "", written.replace("\u00a0", " ").replace(" ", "")).replace("−", "-")
    group, point = (",", ".") if lang == "en" else (".", ",") if lang in ("tr", "az") else (" ", ",")
    return Decimal(digits.replace(group, "").replace(point, "."))


@pytest.fixture
def issued(db):
    store_prices()
    c = customers.add("zaklad", NAME, extensions=["301"], tax_rate="18", address="ul. Piotrkowska 1, 90-001 Łódź")
    talks = [61, 130, 95, 3599, 31, 7]
    nums = [NUMBERS["Germany"], NUMBERS["Germany mobile"], NUMBERS["Türkiye İstanbul"]]
    for i, t in enumerate(talks):
        add_call("301", nums[i % 3], T + 4000 * i, t)
    inv = invoices.issue(c, *MAY_2026, [Item("Aylık ücret / Абонамент", Decimal("1234.50"))])
    net = sum(kurus(nums[i % 3], t) for i, t in enumerate(talks)) + 123450
    assert Decimal(inv.total) == Decimal(net + (net * 18 + 50) // 100) / 100    # the data, by hand
    return inv


def _text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
                          ).stdout.decode()


@pytest.mark.parametrize("lang", LANGS)
def test_the_invoice_pdf_renders_and_its_total_reads_back(issued, lang, tmp_path):
    data = invoice_pdf(issued, lang)
    ARTIFACTS.mkdir(exist_ok=True)
    (tmp_path / "inv.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(tmp_path / "inv.pdf"),
                    str(ARTIFACTS / f"invoice-{lang}")], check=True)
    assert (ARTIFACTS / f"invoice-{lang}-1.png").stat().st_size > 10_000
    got = _text(data)
    assert NAME in " ".join(got.split()) and "Łódź" in got
    assert f"{text(lang, 'Invoice')} INV-000001" in got
    totals = re.findall(rf"^\s*{re.escape(text(lang, 'Total'))}: (.+)$", got, re.M)
    assert [amount(t, lang) for t in totals] == [Decimal(issued.total)]
    nets = re.findall(rf"^\s*{re.escape(text(lang, 'Net'))}: (.+)$", got, re.M)
    assert [amount(t, lang) for t in nets] == [Decimal(issued.net)]


def test_a_credit_note_pdf_shows_what_it_corrects_and_the_negated_total(issued):
    cn = invoices.credit(issued, "yanlış fiyat listesi")
    got = _text(invoice_pdf(cn, "tr"))
    assert "İade faturası CN-000001" in got and "INV-000001: yanlış fiyat listesi" in got
    totals = re.findall(r"^\s*Toplam: (.+)$", got, re.M)
    assert [amount(t, "tr") for t in totals] == [-Decimal(issued.total)]
