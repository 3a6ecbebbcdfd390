"""Translation of the web UI: `_` for Python and templates (a template default), per request's language."""
from __future__ import annotations

import bottle


def _(message: str) -> str:
    """`message` in the current request's language (English until catalogs exist)."""
    return message


bottle.BaseTemplate.defaults["_"] = _
