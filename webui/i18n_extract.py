"""Message extraction for the web UI: a Babel extractor for bottle .tpl files, and `python -m webui.i18n_extract`
(what `make messages` runs) to extract every string into messages.pot and merge it into each language's .po.

Templates mark text as `_('Text')` or `_("Text")` inside {{ }} or on `%` lines; Python modules use `_()` and
`N_()` (Babel's own Python extractor). METHOD_MAP says which extractor reads which files.
"""
from __future__ import annotations

import ast
import copy
import re
import sys
from pathlib import Path
from typing import IO, Iterator

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from webui.i18n import LANGUAGES, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
# appliance/reports/labels.py: a report's words, which the scheduled reports' files say outside the web
METHOD_MAP = [("webui/**.py", "python"), ("appliance/reports/labels.py", "python"),
              ("appliance/directory/texts.py", "python"),
              ("webui/templates/**.tpl", "webui.i18n_extract:extract_bottle")]
# _( 'text' ) or _( "text" ), with backslash escapes; N_ too (names a term for later translation)
STRING = r"""('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
CALL = re.compile(r"(?<![\w.])N?_\(\s*" + STRING + r"\s*\)")
# ngettext('one leg', '{n} legs', n): both forms, the count after them
PLURAL = re.compile(r"(?<![\w.])ngettext\(\s*" + STRING + r"\s*,\s*" + STRING + r"\s*,")
# pgettext('ssh key', 'Type'): a message in its context (a short heading other pages use for another thing)
CONTEXT = re.compile(r"""(?<![\w.])pgettext\(\s*""" + STRING + r"\s*,\s*" + STRING + r"\s*\)")
# the %-conversions the web's code fills in (%s, %d, %r, %(name)s): Babel also flags "{share} % of" as
# python-format ("% o" reads as an octal conversion), and msgfmt -c then rejects every translation of it
PERCENT = re.compile(r"%(?:\(\w+\))?[sdr]")


def extract_bottle(fileobj: IO[bytes], keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extractor: (lineno, funcname, message, comments) of every _('literal') in a bottle template."""
    text = fileobj.read().decode(options.get("encoding", "utf-8"))
    found = [(m.start(), "_", ast.literal_eval(m.group(1))) for m in CALL.finditer(text)]
    found += [(m.start(), "ngettext", (ast.literal_eval(m.group(1)), ast.literal_eval(m.group(2))))
              for m in PLURAL.finditer(text)]
    found += [(m.start(), "pgettext", (ast.literal_eval(m.group(1)), ast.literal_eval(m.group(2))))
              for m in CONTEXT.finditer(text)]
    for start, func, message in sorted(found, key=lambda f: f[0]):
        yield text.count("\n", 0, start) + 1, func, message, []


def extract() -> Catalog:
    """Every message of the web UI (templates and every webui module, sub-packages included), as a catalog."""
    catalog = Catalog(project="callbox", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), METHOD_MAP, {}, keywords={"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for entry in catalog:
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        if "python-format" in entry.flags and not any(PERCENT.search(i) for i in ids):
            entry.flags.discard("python-format")
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def update(template: Catalog) -> dict[str, list[str]]:
    """Write messages.pot and merge it into every language's .po (English: each text is its own translation).
    Returns the untranslated message ids per language."""
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / "messages.pot").open("wb") as f:
        write_po(f, template, omit_header=False, sort_output=True, include_lineno=False)
    missing: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as f:
                catalog = read_po(f, locale=lang)
        else:
            catalog = Catalog(locale=lang, project="callbox", charset="utf-8")
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)   # update() shares message objects
        catalog.obsolete.clear()
        for message in catalog:           # update() keeps a catalog's old flags: the template's python-format rules
            found = template.get(message.id) if message.id else None
            if found is not None and "python-format" not in found.flags:
                message.flags.discard("python-format")
        if lang == "en":
            catalog.fuzzy = False                      # complete by construction: no "#, fuzzy" header
            for message in catalog:
                if message.id:
                    message.string = message.id
        missing[lang] = [m.id for m in catalog if m.id and (not m.string or m.fuzzy or
                                                            (isinstance(m.string, tuple) and not all(m.string)))]
        with path.open("wb") as f:
            write_po(f, catalog, sort_output=True, include_lineno=False, width=116)
    return missing


def main() -> int:
    missing = update(extract())
    for lang, ids in missing.items():
        if ids:
            print(f"{po_path(lang).relative_to(ROOT)}: {len(ids)} untranslated", file=sys.stderr)
    return 1 if any(missing.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
