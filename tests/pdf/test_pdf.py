"""PDF reports and bills (issue 6, RAT-8): rendered by poppler to PNG and text, and checked there."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from appliance.billing import allowances
from appliance.billing import bills as billing
from appliance.billing.usage import parse_period
from appliance.pdf import bill as pdf_bill
from appliance.pdf import document as pdf
from appliance.pdf.chart import Chart, ticks
from appliance.store import billing as store_billing
from conftest import REPO

D = Decimal
ARTIFACTS = Path(os.environ.get("CALLBOX_ARTIFACTS") or REPO / "tests" / "artifacts") / "pdf"
NAMES = ["Çağrı Şahin", "Кабини", "Łukasz Wąsowicz", "İpek Işık"]
pytestmark = [pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (system-deps.txt) missing"),
              pytest.mark.slow]   # slow: PDFs rendered by poppler and a headless browser


def render(data: bytes, name: str, dpi: int = 50) -> list[Path]:
    """Write the PDF and its pages as PNG into the artifacts directory (kept for a human to look at)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(data)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(ARTIFACTS / name)], check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def pages_text(data: bytes) -> list[str]:
    """pdftotext -layout of each page (form feeds split the pages)."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return out.decode("utf-8").replace("\u00a0", " ").split("\f")[:-1]


def ink(png: Path) -> float:
    """The share of pixels that are not white."""
    img = Image.open(png).convert("L")
    hist = img.histogram()
    return 1 - sum(hist[245:]) / (img.width * img.height)


def has_colour(png: Path, rgb: tuple[int, int, int], tolerance: int = 30) -> bool:
    img = Image.open(png).convert("RGB")
    return any(all(abs(a - b) <= tolerance for a, b in zip(px, rgb)) for _, px in img.getcolors(1 << 24))


def amount(text: str, lang: str) -> Decimal:
    """A written amount back to a Decimal (₺1.234,50 in Turkish, TRY 1,234.50 in English, 1 234,50 лв. in
    Bulgarian: every language of the box but English writes a decimal comma)."""
    digits = re.sub(r"[^\d,.\-]", "", text.replace("лв.", ""))
    digits = digits.replace(",", "") if lang == "en" else digits.replace(".", "").replace(",", ".")
    return Decimal(digits)


# ---- numbers for the language ----

@pytest.mark.parametrize("value,lang,places,expected", [
    (D("1234.50"), "en", 0, "1,234.50"), (D("1234.50"), "tr", 0, "1.234,50"), (1234567, "tr", 0, "1.234.567"),
    (D("-0.05"), "en", 0, "-0.05"), (D("0"), "tr", 2, "0,00"), (D("99.995"), "en", 2, "99.995"),
    (D("2.3"), "tr", 2, "2,30"), (D("1E+3"), "en", 0, "1,000"), (D("1234.50"), "cs", 0, "1\u00a0234,50"),
    (1234567, "nb", 0, "1\u00a0234\u00a0567"), (D("1234.50"), "bg", 0, "1\u00a0234,50"),
    (D("1234.50"), "az", 0, "1.234,50")])
def test_numbers_are_written_for_the_language_and_never_rounded(value, lang, places, expected):
    assert pdf.format_number(value, lang, places) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 4).flatmap(lambda p: st.decimals(-10 ** 9, 10 ** 9, places=p)) | st.integers(-10 ** 12, 10 ** 12),
       st.sampled_from(pdf.LANGS))
def test_babel_and_the_fallback_write_numbers_alike(value, lang):
    with_babel = pdf.format_number(value, lang)
    saved = pdf._babel_decimal
    pdf._babel_decimal = None
    try:
        assert pdf.format_number(value, lang) == with_babel
    finally:
        pdf._babel_decimal = saved
    assert amount(with_babel, lang) == Decimal(value)


@pytest.mark.skipif(pdf._babel_currency is None, reason="Babel is not installed")
@pytest.mark.parametrize("value,currency,lang,expected", [
    (D("92.79"), "TRY", "tr", "₺92,79"), (D("92.79"), "TRY", "en", "TRY\u00a092.79"),
    (D("99.995"), "EUR", "tr", "€99,995"), (D("1234.5"), "EUR", "en", "€1,234.50"), (D("3"), "", "en", "3")])
def test_money_keeps_its_currency_and_every_digit(value, currency, lang, expected):
    assert pdf.format_money(value, currency, lang) == expected


@pytest.mark.parametrize("value,currency,lang,expected", [
    (D("92.79"), "TRY", "tr", "92,79 TRY"), (D("99.995"), "EUR", "tr", "99,995 EUR"),
    (D("1234.5"), "EUR", "en", "1,234.50 EUR"), (D("3"), "", "en", "3")])
def test_money_without_babel(value, currency, lang, expected, monkeypatch):
    monkeypatch.setattr(pdf, "_babel_currency", None)
    monkeypatch.setattr(pdf, "_babel_precision", None)
    assert pdf.format_money(value, currency, lang) == expected


@pytest.mark.parametrize("low,high,expected", [
    (0, 30, ["0", "10", "20", "30"]), (D("-3"), D("12.5"), ["-5", "0", "5", "10", "15"]),
    (0, D("0.07"), ["0", "0.02", "0.04", "0.06", "0.08"]), (0, 0, ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])])
def test_axis_ticks_are_round_and_cover_the_values(low, high, expected):
    assert [str(t) for t in ticks(D(low), D(high))] == expected


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="kind 'pie'"):
        Chart("pie", ["a"], {"x": [1]})
    with pytest.raises(ValueError, match="'Calls' has 1 values for 2 labels"):
        Chart("bar", ["a", "b"], {"Calls": [1]})
    with pytest.raises(ValueError, match="0.5 is not an int or a Decimal"):
        Chart("line", ["a"], {"Cost": [0.5]})
    with pytest.raises(ValueError, match="language 'de'"):
        pdf.report_pdf("t", "", ["a"], [["x"]], lang="de")
    with pytest.raises(ValueError, match="every row needs 2 values"):
        pdf.report_pdf("t", "", ["a", "b"], [["x"]])


def test_chart_json_for_the_web_page_is_exact_and_script_safe():
    c = Chart("bar", ["</script><b>", "Кабини"], {"Cost": [1, D("2.50")]})
    assert "</" not in c.to_json() and "Кабини" in c.to_json()
    assert json.loads(c.to_json()) == {"kind": "bar", "labels": ["</script><b>", "Кабини"],
                                       "series": {"Cost": [1, "2.50"]}}


# ---- reports ----

def report(lang: str, n: int = 4, chart: Chart | None = None) -> tuple[bytes, list, list]:
    rows = [[NAMES[i % len(NAMES)] + f" {i}", f"2{i:02d}", i * 3, D(i) * D("12.25") + D("1000.50")] for i in range(n)]
    totals = ["Total", None, sum(r[2] for r in rows), sum(r[3] for r in rows)]
    data = pdf.report_pdf("Çağrı raporu — Кабини", "By extension, 2024-04 (Europe/Istanbul)",
                          ["Name", "Extension", "Calls", "Cost"], rows, chart, lang, totals=totals)
    return data, rows, totals


@pytest.mark.parametrize("lang,page,total", [("en", "Page 1 of 1", "4,075.50"), ("tr", "Sayfa 1 / 1", "4.075,50")])
def test_a_report_has_its_header_chart_table_and_page_numbers(lang, page, total):
    chart = Chart("bar", NAMES, {"Calls": [12, 30, 7, 0], "Cost": [D("10.50"), D("3.2"), D("22.75"), D("1")]})
    data, rows, totals = report(lang, chart=chart)
    (png,) = render(data, f"report-{lang}", dpi=60)
    (text,) = pages_text(data)
    assert "Çağrı raporu — Кабини" in text and page in text
    assert all(name in text for name in NAMES)
    assert total in text and pdf.format_number(rows[1][3], lang) in text
    row = next(line for line in text.splitlines() if "Кабини 1" in line)
    assert row.rstrip().endswith(pdf.format_number(rows[1][3], lang))   # numbers right-aligned, last column
    assert ink(png) > 0.03
    assert has_colour(png, (31, 119, 180)) and has_colour(png, (255, 127, 14))   # both series' bars


def test_a_300_row_table_paginates_with_repeated_headings():
    data, rows, totals = report("en", n=300)
    pages = pages_text(data)
    assert len(pages) >= 5
    seen = []
    for k, page in enumerate(pages, 1):
        lines = page.splitlines()
        heading = next(i for i, line in enumerate(lines) if line.split()[:1] == ["Name"])
        assert lines[heading].split() == ["Name", "Extension", "Calls", "Cost"]
        assert f"Page {k} of {len(pages)}" in page and "Çağrı raporu — Кабини" in page
        seen += [int(m.group(1)) for m in re.finditer(r"^\s*\S+(?: \S+)? (\d+)\s+2\d\d", page, re.M)]
    assert seen == list(range(300))   # every row once, in order, none lost at a page break
    last = next(line for line in pages[-1].splitlines() if line.split()[:1] == ["Total"])
    assert last.split()[-2:] == [pdf.format_number(totals[2], "en"), pdf.format_number(totals[3], "en")]
    pngs = render(data, "report-300-rows")
    assert len(pngs) == len(pages) and all(ink(p) > 0.02 for p in pngs)


def test_a_line_chart_for_a_time_dimension():
    days = [f"2024-04-{d:02d}" for d in range(1, 31)]
    chart = Chart("line", days, {"Calls": [(d * 7) % 23 for d in range(30)],
                                 "Minutes": [D((d * 13) % 41) / 2 for d in range(30)]})
    data = pdf.report_pdf("Calls per day", "April", ["Day", "Calls"], [[d, (i * 7) % 23] for i, d in
                                                                       enumerate(days)], chart, "tr")
    pngs = render(data, "report-line", dpi=60)
    assert has_colour(pngs[0], (31, 119, 180)) and has_colour(pngs[0], (255, 127, 14))
    assert "2024-04-01" in pages_text(data)[0]


def test_an_empty_report_says_so():
    (text,) = pages_text(pdf.report_pdf("Boş", "", ["a"], [], lang="tr"))
    assert "Satır yok" in text


# ---- the bill (RAT-8) ----

@pytest.fixture
def site(db):
    from test_billing import Site_, april
    s = Site_()
    april(s)
    for i in range(30):   # enough calls for a second page
        s.call(f"2024-04-{3 + i % 20:02d}T1{i % 10}:30", "214", "+905321234567", "mobile", 30 + i * 17)
    store_billing.replace_line_charges(s.t, [dict(trunk="Line 1", amount=D("120.00"), currency="TRY",
                                                  basis="cost", valid_from="2024-01", valid_to="",
                                                  description="PRI hat kirası — Кабини")])
    store_billing.replace_allowances(s.t, allowances.read_csv(
        "subscriber,name,unit,amount,match,period,valid_from,valid_to\n"
        "ayse,Mobil 2 dk,minutes,2,class:mobile,month,,\n", "allow.csv"))
    return s


def totals_in(pages: list[str], lang: str) -> dict[str, Decimal]:
    """The figures a reader takes from the bill: the calls' total row, the classes, the share, the total to pay."""
    text = "\n".join(pages)
    total, to_pay = pdf_bill._t(lang, "Total"), pdf_bill._t(lang, "Total to pay")
    row = next(line for line in text.splitlines() if line.split()[:1] == [total] and to_pay not in line)
    cost, free, pay = (amount(t, lang) for t in row.split()[-3:])
    found = {"cost": cost, "free": free, "calls": pay}
    found["to_pay"] = amount(re.search(rf"{to_pay}: (.+)", text).group(1), lang)
    found["share"] = amount(next(line for line in text.splitlines() if "PRI hat" in line).split()[-1], lang)
    for kind in ("local", "mobile"):
        label = pdf_bill._t(lang, kind)
        row = next(line for line in text.splitlines() if re.match(rf"\s*{label}\s+\d+\s+\d+:\d\d", line))
        found[kind] = amount(row.split()[-1], lang)
    return found


@pytest.mark.parametrize("lang", pdf.LANGS)
def test_the_bill_pdf_totals_equal_the_bill(site, lang):
    from test_billing import TZ
    b = billing.bill(site.site(), parse_period("2024-04", TZ), person="ayse")
    assert b.allowances and b.line_charges and any(line.discount for line in b.lines)
    data = pdf_bill.bill_pdf(b, lang)
    pages = pages_text(data)
    pngs = render(data, f"bill-{lang}", dpi=60)
    assert len(pngs) == len(pages) >= 2 and ink(pngs[0]) > 0.02 and all(ink(p) > 0 for p in pngs)
    found = totals_in(pages, lang)
    assert found["to_pay"] == b.total
    assert found["calls"] == sum(line.amount for line in b.lines)
    assert found["cost"] == sum(line.cost or 0 for line in b.lines)
    assert found["free"] == sum(line.discount for line in b.lines) > 0
    assert found["share"] == b.line_charges[0]["share"]
    assert found["calls"] + found["share"] == b.total
    assert (found["local"], found["mobile"]) == (b.subtotals["local"]["amount"], b.subtotals["mobile"]["amount"])
    text = "\n".join(pages)
    assert "Ayşe Işık (ayse)" in text and "Mobil 2 dk" in text and "Кабини" in text
    raw = " ".join(subprocess.run(["pdftotext", "-raw", "-", "-"], input=data, capture_output=True,
                                  check=True).stdout.decode().split())   # the cells' text, wrapped lines joined
    fee, price = (pdf.format_number(D(p), lang) for p in ("0.05", "0.45"))
    assert f"{pdf_bill._t(lang, 'connection fee')} {fee}; 1×30s @ {price}" in raw   # the first call's unit prices


@pytest.mark.parametrize("lang, words", [
    ("bg", ["Сметка", "Разговори", "Посока", "Общо за плащане", "Страница 1 от"]),
    ("az", ["Zənglər", "Təfərrüat", "Cəmi ödəniləcək", "Səhifə 1 /"])])
def test_a_bill_in_bulgarian_and_azerbaijani_reads_back_in_its_script(site, lang, words):
    """Issue 20 (REP-13): the bill's words in Cyrillic and with Azerbaijani ə are drawn by the font (DejaVu Sans,
    both styles, covers them) and come back from the PDF's text (pdftotext) as written, dates day first."""
    from test_billing import TZ
    b = billing.bill(site.site(), parse_period("2024-04", TZ), person="ayse")
    data = pdf_bill.bill_pdf(b, lang)
    render(data, f"bill-{lang}-script", dpi=60)
    text = "\n".join(pages_text(data))
    assert all(word in text for word in words), (lang, [w for w in words if w not in text])
    assert "01.04.2024 – 30.04.2024" in text
    assert ("ə" in text) == (lang == "az") and bool(re.search("[а-яА-Я]{4,}", text))   # Кабини in both
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert re.search(r"\+DejaVuSans(Book)?\s", fonts) and re.search(r"\+DejaVuSans-?Bold\s", fonts), fonts


def test_the_pdf_font_has_every_letter_of_every_language():
    """Each character of the PDFs' own words in every language (and Azerbaijani's ə, Ə, Cyrillic) is in both
    font files: fpdf2 would draw a missing one as an empty box."""
    from fontTools.ttLib import TTFont

    from appliance.pdf import bill_text
    words = [w for texts in (*bill_text.TEXT.values(), *pdf.TEXT.values()) for w in texts.values()]
    letters = set("".join(words)) | set("əƏçÇğĞıİöÖşŞüÜ" "абвгдежзийклмнопрстуфхцчшщъьюяАБВЮЯ"
                                        "ěščřžýáíéůúňťďĚŠČŘŽÝÁÍÉŮÚŇŤĎ" "æøåÆØÅ")
    for style in pdf.FONT_FILES.values():
        cmap = TTFont(str(pdf.FONT_DIR / style)).getBestCmap()
        assert not sorted(c for c in letters if ord(c) not in cmap and not c.isspace()), style


def test_a_bill_without_calls(db):
    from test_billing import TZ, Site_
    s = Site_()
    b = billing.bill(s.site(), parse_period("2024-03", TZ), person="jan")
    text = "\n".join(pages_text(pdf_bill.bill_pdf(b, "tr")))
    assert "Bu dönemde arama yok." in text and "Ödenecek toplam: 0" in text


def test_cli_bill_writes_the_pdf(tmp_path, capsys, monkeypatch):
    from test_billing import run
    from test_pricing import priced_site
    data, ini = priced_site(tmp_path, capsys)
    base = ("--data", str(data), "--config", str(ini), "--extension", "201", "--period", "2024-04")
    out_pdf = tmp_path / "fatura.pdf"
    rc, out, err = run(capsys, monkeypatch, "bill", *base, "--json", "--pdf", str(out_pdf), "--lang", "tr")
    assert rc == 0, err
    total = Decimal(json.loads(out)["total"])
    text = "\n".join(pages_text(out_pdf.read_bytes()))
    assert amount(re.search(r"Ödenecek toplam: (.+)", text).group(1), "tr") == total == D("2.30")
    rc, out, err = run(capsys, monkeypatch, "bill", *base, "--pdf", str(tmp_path / "no" / "such" / "x.pdf"))
    assert rc == 2 and "cannot write the PDF" in err


# ---- the vendored chart library ----

def vendored() -> list[list[str]]:
    lines = (REPO / "provisioning" / "vendor.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


def test_vendored_files_have_the_sha256_of_the_note():
    rows = vendored()
    assert rows and {len(r) for r in rows} == {6}
    for name, version, _, dest, sha256, url in rows:
        assert hashlib.sha256((REPO / dest).read_bytes()).hexdigest() == sha256, dest
        assert url.endswith(f"/{name}-{version}.tgz")
    js = next(r for r in rows if r[3].endswith(".js"))
    assert f"Chart.js v{js[1]}" in (REPO / js[3]).read_text(encoding="utf-8")[:200]
    assert any("LICENSE" in r[3] for r in rows)


PAGE = """<!DOCTYPE html>
<html lang="tr"><head><meta charset="utf-8"><title>chart</title>
<script src="/static/vendor/chart.umd.min.js" defer></script><script src="/static/charts.js" defer></script>
</head><body><canvas id="chart"></canvas>
<script type="application/json" id="chart-data">%s</script></body></html>"""


@pytest.fixture
def chart_server():
    """The static files and a page that only carries data, under a CSP that forbids inline scripts."""
    import http.server
    import threading
    blob = Chart("bar", ["Çağrı Şahin", "Кабини", "</script>"], {"Calls": [3, 5, 1], "Cost": [D("1.50"), 2, 0]})
    talk = Chart("bar", ["211", "222"], {"Konuşma": [24127, 3725]}, unit="seconds")   # /seconds: durations

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/static/"):
                path = (REPO / "webui" / self.path.lstrip("/")).resolve()
                body, ctype = path.read_bytes(), "text/javascript"
            else:
                shown = talk if self.path == "/seconds" else blob
                body, ctype = (PAGE % shown.to_json()).encode(), "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Security-Policy", "default-src 'self'")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_charts_js_draws_the_page_data_under_a_strict_csp(chart_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed")
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(chart_server)
            page.wait_for_function("window.callboxCharts && window.callboxCharts.length === 1", timeout=20000)
            drawn = page.evaluate("""() => { const c = window.callboxCharts[0];
                return {type: c.config.type, labels: c.data.labels, data: c.data.datasets.map(d => d.data),
                        width: c.canvas.width,
                        ink: Array.from(c.canvas.getContext('2d').getImageData(0, 0, c.canvas.width,
                                        c.canvas.height).data).filter((v, i) => i % 4 === 3 && v > 0).length}; }""")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "charts-js.png"))
        finally:
            browser.close()
    assert errors == []
    assert (drawn["type"], drawn["labels"], drawn["data"]) == ("bar", ["Çağrı Şahin", "Кабини", "</script>"],
                                                               [[3, 5, 1], [1.5, 2, 0]])
    assert drawn["width"] > 0 and drawn["ink"] > 1000


def test_a_duration_chart_on_the_page_reads_h_mm_ss_as_its_table(chart_server):
    """Issue 20 (durations formatted the same everywhere): the page's chart of talk time had an axis and tooltips
    of raw seconds ("24,127"); its JSON says the unit, charts.js writes h:mm:ss and steps by whole hours."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed")
    assert json.loads(Chart("bar", ["a"], {"Talk": [61]}, unit="seconds").to_json())["unit"] == "seconds"
    assert "unit" not in json.loads(Chart("bar", ["a"], {"Calls": [1]}).to_json())
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(chart_server + "seconds")
            page.wait_for_function("window.callboxCharts && window.callboxCharts.length === 1", timeout=20000)
            shown = page.evaluate("""() => { const c = window.callboxCharts[0];
                return {ticks: c.scales.y.ticks.map(t => t.label),
                        tip: c.options.plugins.tooltip.callbacks.label.call(c.tooltip,
                            {dataset: c.data.datasets[0], parsed: {y: 3725}})}; }""")
        finally:
            browser.close()
    assert errors == []
    assert shown["ticks"][:2] == ["0:00:00", "1:00:00"] and shown["ticks"][-1] == "7:00:00", shown
    assert shown["tip"] == "Konuşma: 1:02:05"


def test_a_bill_lines_party_is_named_as_on_the_page():
    """Issue 20: in a bill's PDF a hunt group's number reads "Satış (arama grubu 200)" as on the page (the
    reports' words) and IP Office's "?MŁYN" (a name sent instead of a number) as the name; a number stays one."""
    groups = {"200": "Satış"}
    assert pdf_bill.party("200", "tr", groups) == "Satış (arama grubu 200)"
    assert pdf_bill.party("200", "en", groups) == "Satış (hunt group 200)"
    assert pdf_bill.party("?MŁYN", "tr", groups) == "MŁYN"
    assert pdf_bill.party("?123", "tr", groups) == "?123" and pdf_bill.party("0212555", "tr", None) == "0212555"
