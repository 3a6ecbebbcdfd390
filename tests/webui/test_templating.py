"""The web's template class (webui/templating.py, issue 14): the same text out as bottle's SimpleTemplate."""
from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import bottle
import webtest
from hypothesis import given
from hypothesis import strategies as st

import webui.i18n  # noqa: F401  installs the class
from webui import TEMPLATE_LOOKUP, i18n, templating

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


def test_the_web_has_one_html_escape():
    """Issue 20 (tidy): the helpers that write HTML (a PBX name, a hunt group, voicemail) escaped with the standard
    library's html.escape ('&#x27;'), the templates with bottle's ('&#039;'): one escape now, templating.escape."""
    assert i18n.escape is templating.escape
    for path in Path(templating.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {(n.module, a.name) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        assert ("html", "escape") not in names and not any(
            isinstance(n, ast.Attribute) and n.attr == "escape" and getattr(n.value, "id", "") == "html"
            for n in ast.walk(tree)), path
    assert i18n.party_html("?O'Brien <x>") == (
        '<span class="pbx-name" title="A name the PBX sent instead of a number">O&#039;Brien &lt;x&gt;</span>')
