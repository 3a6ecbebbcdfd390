"""The web's template class (webui/templating.py, issue 14): the same text out as bottle's SimpleTemplate."""
from __future__ import annotations

from decimal import Decimal

import bottle
import webtest
from hypothesis import given
from hypothesis import strategies as st

import webui.i18n  # noqa: F401  installs the class
from webui import TEMPLATE_LOOKUP, templating

SOURCE = """<p title="{{a}}">{{b}}</p>{{!c}}
% for x in items:
<td>{{x}}</td>
% end
"""
VALUES = ["", "plain", "a & b", "<script>alert('x')</script>", 'say "hi"', "Çağrı Şahin", "Кабини", 0, 42, -1.5,
          Decimal("12.50"), None, b"bytes & <more>", True]


def test_escape_is_bottles():
    for v in VALUES:
        assert templating.escape(v) == bottle.html_escape(bottle.touni(v))


@given(st.text())
def test_escape_is_bottles_for_any_text(text):
    assert templating.escape(text) == bottle.html_escape(text)


def test_a_template_renders_as_bottles():
    values = {"a": "x\"'<", "b": "Ş & Ç", "c": "<b>raw</b>", "items": VALUES}
    assert (templating.Template(SOURCE).render(**values)
            == bottle.SimpleTemplate.__mro__[1](SOURCE).render(**values))
    noescape = {"noescape": True}
    assert (templating.Template(SOURCE, **noescape).render(**values)
            == bottle.SimpleTemplate.__mro__[1](SOURCE, **noescape).render(**values))


def test_the_web_renders_with_it(app):
    assert bottle.SimpleTemplate is templating.Template
    assert webtest.TestApp(app).get("/login").status_int == 200
    compiled = [t for (lookup, _name), t in bottle.TEMPLATES.items() if lookup == id(TEMPLATE_LOOKUP)]
    assert compiled and all(type(t) is templating.Template for t in compiled)
