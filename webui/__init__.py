"""Callbox web UI: a bottle app served by gevent.pywsgi in its own process (`python -m webui`)."""
import os   # not pathlib: `python -m webui` imports this package before __main__ patches with gevent

# Where every page finds its templates (webui/templates/); one list object: bottle caches templates by its id().
TEMPLATE_LOOKUP = [os.path.join(os.path.dirname(__file__), "templates")]

# A row id in a URL or form: "7" but not "²" (str.isdigit takes it, int() does not) nor 10**20 (SQLite's integers
# are 64-bit: a longer one used to give 500).
MAX_ID_DIGITS = 18


def row_id(text: str) -> int | None:
    """The row id written in `text` (ASCII digits, at most MAX_ID_DIGITS), else None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS else None
