"""Issue 20 (audit, plural forms): counts that can be 1 read by each catalogue's plural rules (English "1 file",
Czech's three forms), not singular-blind."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import bottle

from appliance.directory import texts as directory_texts
from webui import TEMPLATE_LOOKUP, i18n
from webui.admin.directory_text import said
from webui.event_text import link_detail

TEMPLATES = Path(TEMPLATE_LOOKUP[0])


def _in_request(lang: str) -> None:
    bottle.request.bind({"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": "",
                         "HTTP_COOKIE": f"{i18n.COOKIE}={lang}"})
    bottle.response.bind()


def _render(name: str, lang: str, **values) -> str:
    _in_request(lang)
    try:
        return bottle.template(name, template_lookup=TEMPLATE_LOOKUP, **values)
    finally:
        bottle.request.bind({})


def test_the_first_rows_of_a_table_take_the_plural_rules():
    """"The first {n} of {total} rows.": Czech "Prvních 1 z 3 řádků" wanted the singular "První"."""
    def top(n: int) -> SimpleNamespace:
        return SimpleNamespace(tops=[("1", "?top=1", n == 1), ("5", "?top=5", n == 5), ("", "?top=", False)],
                               hidden=True, rows=list(range(n)), total=9)
    assert "The first 1 of 9 rows." in _render("sort_top", "en", s=top(1))
    assert "The first 5 of 9 rows." in _render("sort_top", "en", s=top(5))
    assert "První 1 z 9 řádků." in _render("sort_top", "cs", s=top(1))
    assert "Prvních 5 z 9 řádků." in _render("sort_top", "cs", s=top(5))
    assert "Den første 1 av 9 rader." in _render("sort_top", "nb", s=top(1))


def test_refused_connections_take_the_plural_rules():
    """A link event's "{count} connections refused from {address}, the last {why}" (and "... since the last
    report ..."): "1 connections" before; each catalogue's forms now (Czech odmítnuto/odmítnuta/odmítnuto)."""
    allow = {"key": "refused_allow", "fields": {}}

    def said(lang: str, key: str, count: int) -> str:
        _in_request(lang)
        try:
            return link_detail("English detail", json.dumps(
                {"key": key, "fields": {"count": count, "address": "192.0.2.7", "why": allow}}))
        finally:
            bottle.request.bind({})
    assert said("en", "refused_many", 1) == "1 connection refused from 192.0.2.7, the last not in [capture] allow"
    assert said("en", "refused_many", 5) == "5 connections refused from 192.0.2.7, the last not in [capture] allow"
    assert said("cs", "refused_many", 1).startswith("odmítnuto 1 spojení z 192.0.2.7: ")
    assert said("cs", "refused_many", 3).startswith("odmítnuta 3 spojení z 192.0.2.7, poslední: ")
    assert said("cs", "refused_many", 5).startswith("odmítnuto 5 spojení z 192.0.2.7, poslední: ")
    assert said("en", "refused_since", 1).startswith("1 connection refused since the last report from 192.0.2.7")
    assert said("en", "refused_since", 5).startswith("5 connections refused since the last report")
    assert said("cs", "refused_since", 1).startswith("od posledního hlášení odmítnuto 1 spojení z 192.0.2.7: ")
    assert said("nb", "refused_since", 1).startswith("1 tilkobling avvist fra 192.0.2.7 siden forrige rapport: ")


def _banner(name: str, marker: str, lang: str, **values) -> str:
    """The line of template `name` holding `marker` (a banner the page shows after a POST), rendered alone."""
    line = next(line for line in (TEMPLATES / f"{name}.tpl").read_text(encoding="utf-8").splitlines() if marker in line)
    _in_request(lang)
    try:
        return bottle.template(line + "\n", **values)
    finally:
        bottle.request.bind({})


def test_a_restored_backup_counts_its_files_by_the_plural_rules():
    """"The backup is restored (1 files)" on the backup page and the first boot's: each catalogue's forms now."""
    for name, marker, values in (("backup", 'id="restored"', lambda n: {"restored": {"files": ["f"] * n}}),
                                 ("first_boot", 'id="first-boot-restored"', lambda n: {"restored": n})):
        assert "The backup is restored (1 file). " in _banner(name, marker, "en", **values(1))
        assert "The backup is restored (5 files). " in _banner(name, marker, "en", **values(5))
        assert "Záloha je obnovena (1 soubor). " in _banner(name, marker, "cs", **values(1))
        assert "Záloha je obnovena (3 soubory). " in _banner(name, marker, "cs", **values(3))
        assert "Záloha je obnovena (5 souborů). " in _banner(name, marker, "cs", **values(5))


def test_the_driver_change_counts_its_lines_by_the_plural_rules():
    """The PBX wizard's "This box has read {lines} lines ... ({calls} calls stored)" and "{lines} lines parsed again
    ...: {before} calls before, {after} now." said "1 lines", "1 calls": the lines by each catalogue's forms now, the
    calls beside a colon ("calls stored: 1", "calls: 1 before, 5 now")."""
    def asked(lang: str, lines: int) -> str:
        return _banner("pbx_wizard", "This box has read", lang, confirm={
            "lines": lines, "calls": 1, "previous": "panasonic_kx", "driver": "avaya_ipoffice"})

    def done(lang: str, lines: int) -> str:
        return _banner("pbx_wizard", "parsed again with {driver}, replacing", lang, reprocessed={
            "lines": lines, "driver": "avaya_ipoffice", "previous": "panasonic_kx", "calls_before": 1,
            "calls_after": 5})
    assert "has read 1 line from the PBX with panasonic_kx (calls stored: 1). New lines will be read with " \
           "avaya_ipoffice. The line read so far:" in asked("en", 1)
    assert "has read 1,234 lines from the PBX with panasonic_kx (calls stored: 1)" in asked("en", 1234)
    assert "přečetlo z ústředny 1 řádek ovladačem" in asked("cs", 1)
    assert "přečetlo z ústředny 3 řádky ovladačem" in asked("cs", 3)
    assert "přečetlo z ústředny 5 řádků ovladačem" in asked("cs", 5)
    assert "1 line parsed again with avaya_ipoffice, replacing what panasonic_kx had made of it (calls: 1 before, " \
           "5 now)." in done("en", 1)
    assert "5 lines parsed again with avaya_ipoffice, replacing what panasonic_kx had made of them" in done("en", 5)
    assert "Znovu zpracován 1 řádek ovladačem avaya_ipoffice" in done("cs", 1)
    assert "Znovu zpracováno 5 řádků ovladačem avaya_ipoffice" in done("cs", 5)


def test_a_csv_row_with_too_few_fields_reads_right_for_one_field():
    """A directory or trunk CSV row's "{where}: {count} fields, the header has {expected}" said "1 fields": now "field
    count 1" in English (Czech "počet polí", Norwegian "felt" and the others were count-safe already)."""
    def row(lang: str, count: int) -> str:
        _in_request(lang)
        try:
            return said(directory_texts.text("field_count", where="people.csv line 4", count=count, expected=4), "")
        finally:
            bottle.request.bind({})
    assert directory_texts.english(directory_texts.text("field_count", where="x", count=1, expected=4)) == \
        "x: field count 1, the header has 4"
    assert row("en", 1) == "people.csv line 4: field count 1, the header has 4"
    assert row("en", 5) == "people.csv line 4: field count 5, the header has 4"
    assert row("cs", 1) == "people.csv line 4: počet polí 1, záhlaví jich má 4"
    assert row("nb", 5) == "people.csv line 4: 5 felt, overskriftsraden har 4"
