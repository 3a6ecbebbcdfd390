"""RAT-9: an operator's itemised bill matched call by call to the stored calls, each difference found and explained."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from appliance import store
from appliance.rating import numbering
from appliance.reconcile import explain, maps, match
from appliance.reconcile.invoice import InvoiceError, load_map, read_invoice
from conftest import REPO
from test_billing import IZMIR, TURKCELL, TZ, VODAFONE, Site_
from test_pipeline import run_cli

D = Decimal
PLAN = numbering.plan_from_options({"country": "TR", "area_codes": "232"})
PRINTED = {TURKCELL: "0532 123 45 67", IZMIR: "0232 412 34 56", VODAFONE: "0542 123 45 67"}
CONFIG = "[pbx]\ntimezone = Europe/Istanbul\n[numbers]\ncountry = TR\narea_codes = 232\naccess_codes = 9\n"
HEAD = "TÜRK TELEKOM\nDetaylı Kullanım Dökümü;Nisan 2024\n\nHizmet No;Tarih;Saat;Aranan Numara;Süre;Tutar (TL)\n"


def month(site: Site_) -> list[tuple[str, str, int, int]]:
    """April 2024 (no holiday on these days): (local start, number, talk s, call id), two calls a working day."""
    calls = []
    day = datetime(2024, 4, 1)
    numbers = (TURKCELL, IZMIR, VODAFONE)
    n = 0
    while day.month == 4:
        if day.weekday() < 5 and day.day not in (9, 10, 11, 12, 23):
            for hour in (10, 15):
                number = numbers[n % 3]
                talk = 20 + (n * 37) % 400
                when = day.replace(hour=hour, minute=n % 50).isoformat(timespec="minutes")
                kind = {TURKCELL: "mobile", VODAFONE: "mobile", IZMIR: "local"}[number]
                calls.append((when, number, talk, site.call(when, "214", number, kind, talk)))
                n += 1
        day += timedelta(days=1)
    return calls


def invoice_row(when: str, number: str, talk: int, amount: Decimal, shift_s: int = 0) -> str:
    t = datetime.fromisoformat(when) + timedelta(seconds=shift_s)
    return (f"2324000000;{t:%d.%m.%Y};{t:%H:%M:%S};{PRINTED[number]};"
            f"{talk // 3600:02d}:{talk // 60 % 60:02d}:{talk % 60:02d};{str(amount).replace('.', ',')}\n")


@pytest.fixture
def site(db):
    s = Site_()
    s.calls = month(s)
    s.costs = {c.id: D(c.cost) for c in store.Call.select()}
    return s


def reconcile(text: str, site: Site_) -> match.Result:
    lines = read_invoice(text.encode("cp1254"), maps.BUILTIN["tr_turk_telekom"], PLAN, TZ)
    lo, hi = min(i.start_utc for i in lines) - 86400, max(i.start_utc for i in lines) + 86400
    return explain.explain(match.match(lines, match.stored_calls(lo, hi)))


def test_a_clean_month_reconciles_to_zero(site):
    text = HEAD + "".join(invoice_row(w, n, t, site.costs[cid]) for w, n, t, cid in site.calls)
    result = reconcile(text, site)
    assert len(site.calls) == 34 and result.count("matched") == 34
    assert result.count("missing") == result.count("extra") == 0 and not result.findings
    assert result.difference == 0 and result.invoice_total == sum(site.costs.values())
    assert all(not r.issues for r in result.rows)


def test_missing_extra_price_and_start_differences_are_found_and_classified(site):
    calls = site.calls
    extra = calls[5]                    # the box has it, the invoice does not
    priced = calls[8]                   # the operator billed 0.40 more
    late = calls[12]                    # the operator's start is 40 s later
    rows = []
    for w, n, t, cid in calls:
        if cid == extra[3]:
            continue
        amount = site.costs[cid] + (D("0.40") if cid == priced[3] else 0)
        rows.append(invoice_row(w, n, t, amount, 40 if cid == late[3] else 0))
    missing_at = datetime.fromisoformat(calls[20][0]) + timedelta(minutes=3)   # calls stored around it
    rows.append(invoice_row(missing_at.isoformat(), VODAFONE, 95, D("1.35")))
    result = reconcile(HEAD + "".join(rows), site)
    by_cause = {}
    for d in explain.as_dicts(result):
        by_cause.setdefault(d["cause"], []).append(d)
    assert result.count("matched") == 33 and result.count("missing") == 1 and result.count("extra") == 1
    (missing,) = by_cause["unseen"]
    assert missing["status"] == "missing" and missing["number"] == VODAFONE and missing["invoice_amount"] == "1.35"
    (unbilled,) = by_cause["unbilled"]
    assert unbilled["status"] == "extra" and unbilled["box_call_id"] == extra[3]
    (price,) = by_cause["price"]
    assert price["box_call_id"] == priced[3] and price["difference"] == "0.40" and price["issues"] == "price"
    (start,) = by_cause["start"]
    assert start["box_call_id"] == late[3] and start["issues"] == "start" and "40 s" in start["note"]
    # the total difference, computed independently: the missing call + the overcharge - the unbilled call
    assert result.difference == D("1.35") + D("0.40") - site.costs[extra[3]]
    assert sum(D(d["difference"]) for d in explain.as_dicts(result)) == result.difference
    assert {f["cause"] for f in result.findings} == {"unseen", "unbilled", "price", "start"}


def test_one_destination_consistently_off_blames_the_plan_and_a_quiet_gap_blames_the_link(site):
    rows = []
    gap_day = datetime(2024, 4, 20, 2, 0)   # a Saturday night: the box stored nothing then
    for w, n, t, cid in site.calls:
        rows.append(invoice_row(w, n, t, site.costs[cid] + (D("0.10") if n == VODAFONE else 0)))
    for k in range(3):
        rows.append(invoice_row((gap_day + timedelta(minutes=7 * k)).isoformat(), TURKCELL, 60, D("0.95")))
    result = reconcile(HEAD + "".join(rows), site)
    causes = {f["cause"]: f for f in result.findings}
    assert set(causes) == {"plan", "link"}
    assert causes["plan"]["destination"] == "Vodafone" and causes["plan"]["calls"] == causes["plan"]["of"] == 11
    assert causes["link"]["calls"] == 3 and causes["link"]["from"] == "2024-04-20T02:00:00"


def test_the_command_prints_the_summary_and_writes_the_csv(site, tmp_path, capsys):
    ini = tmp_path / "callbox.ini"
    ini.write_text(CONFIG)
    bill = tmp_path / "fatura.csv"
    w, n, t, cid = site.calls[0]
    bill.write_bytes((HEAD + invoice_row(w, n, t, site.costs[cid] + D("0.05"))).encode("cp1254"))
    out_csv = tmp_path / "out.csv"
    rc, out, err = run_cli(capsys, "reconcile", "--data", str(tmp_path), "--config", str(ini), str(bill),
                           "--map", "tr_turk_telekom", "--since", "2024-04-01", "--until", "2024-04-02",
                           "--json", "--csv", str(out_csv), "--pdf", str(tmp_path / "out.pdf"))
    assert rc == 0, err
    got = json.loads(out)
    assert (got["matched"], got["missing"], got["extra"], got["price_differences"]) == (1, 0, 1, 1)
    assert D(got["difference"]) == D("0.05") - site.costs[site.calls[1][3]]   # the 1st's overcharge, the 2nd unbilled
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8-sig"))))
    assert rows[-1]["status"] == "total" and D(rows[-1]["difference"]) == D(got["difference"])
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


def test_a_map_file_and_a_bad_cell(tmp_path):
    m = tmp_path / "operator.ini"
    m.write_text("[map]\ndelimiter = ,\ndate = When\nnumber = To\nduration = Secs\namount = Price\n"
                 "date_format = %Y-%m-%d %H:%M:%S\nduration_format = seconds\ndecimal_comma = no\n")
    cmap = load_map(m)
    lines = read_invoice(b"When,To,Secs,Price\n2024-04-02 10:00:00,+90 532 123 45 67,61,1.05\n", cmap, PLAN, TZ)
    assert (lines[0].number, lines[0].duration_s, lines[0].amount) == (TURKCELL, 61, D("1.05"))
    with pytest.raises(InvoiceError, match=r"line 2, column 'Secs'"):
        read_invoice(b"When,To,Secs,Price\n2024-04-02 10:00:00,0532,1:xx,1\n", cmap, PLAN, TZ)
    with pytest.raises(InvoiceError, match="no column map"):
        maps.find_map("nope")


@pytest.mark.parametrize("name, options, zone, first", [
    ("tr_turk_telekom", {"country": "TR", "area_codes": "232"}, "Europe/Istanbul", ("+905321234567", 60, "0.95")),
    ("cz_o2", {"country": "CZ"}, "Europe/Prague", ("+420602123456", 60, "1.90")),
    ("no_telenor", {"country": "NO"}, "Europe/Oslo", ("+4741234567", 60, "0.89")),
])
def test_each_shipped_map_reads_its_example(name, options, zone, first):
    data = (REPO / "provisioning" / "reconcile" / f"example-{name}.csv").read_bytes()
    lines = read_invoice(data, maps.BUILTIN[name], numbering.plan_from_options(options), ZoneInfo(zone))
    assert len(lines) == 2 and (lines[0].number, lines[0].duration_s, str(lines[0].amount)) == first
    assert lines[1].number.startswith("+") and "GUESSED" in maps.BUILTIN[name].provenance


def test_the_readme_s_example_map_loads(tmp_path):
    text = (REPO / "provisioning" / "reconcile" / "README.md").read_text(encoding="utf-8")
    example = text.split("```ini\n", 1)[1].split("```", 1)[0]
    (tmp_path / "site.ini").write_text(example)
    cmap = load_map(tmp_path / "site.ini")
    assert (cmap.delimiter, cmap.keep, cmap.decimal_comma) == (",", ("Call", "Voice"), False)
