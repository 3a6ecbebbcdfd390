"""Issue 20 (audit, plural forms): counts that can be 1 read by each catalogue's plural rules (English "1 file",
Czech's three forms), not singular-blind."""
from __future__ import annotations

from types import SimpleNamespace

import bottle

from webui import TEMPLATE_LOOKUP, i18n


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
