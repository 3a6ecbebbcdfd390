"""Place and operator names of phone numbers, read from an SQLite file instead of held in memory.

phonenumbers' geocoder and carrier modules import every prefix of the world with its names in every language: about
110 MB of Python dicts in each process that names a number's city or operator (the worker, the web, the jobs). The
same data, copied once per phonenumbers release into an SQLite file (one library data file at a time, so the copy
never holds it all either), costs a few kB per process and one indexed read per number not yet cached.

`geocoder` and `carrier` below answer as phonenumbers' modules of the same names do (the functions this project
calls, the same results: tests/rating/test_phonedata.py compares them); the prefix search and the language
fall-back are the library's own (phonenumbers.prefix). Without the file, and where it cannot be made, they fall back
to the library's modules: slower to load and larger, never wrong.

    python -m appliance.rating.phonedata [FILE]   # make the file (`make install` does; the image at build time)
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import sqlite3
import sys
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import phonenumbers as pn
from phonenumbers import PhoneNumberType as T
from phonenumbers.prefix import _prefix_description_for_number

log = logging.getLogger(__name__)

FILE = Path(sys.prefix) / "share" / "callbox" / f"phonedata-{pn.__version__}.sqlite"
LIBRARY = Path(pn.__file__).parent
TABLES = {"geo": "geodata", "carrier": "carrierdata"}
_MOBILE = (T.MOBILE, T.FIXED_LINE_OR_MOBILE, T.PAGER)


def _data_module(path: Path) -> Any:
    """One of the library's data files, run as the module it is but without its package's __init__ (which imports
    all of them). Not kept in sys.modules: its dict goes when the caller drops it."""
    spec = importlib.util.spec_from_file_location(f"phonenumbers.{path.parent.name}.{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(target: Path = FILE) -> Path:
    """Write the SQLite copy of phonenumbers' geocoder, carrier and region-name data to `target` (atomically)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        longest = {}
        for table, folder in TABLES.items():
            conn.execute(f"CREATE TABLE {table} (prefix TEXT PRIMARY KEY, names TEXT NOT NULL) WITHOUT ROWID")
            files = sorted((LIBRARY / folder).glob("data*.py"), key=lambda p: int(re.sub(r"\D", "", p.stem)))
            longest[table] = 0
            for path in files:
                data = _data_module(path).data
                conn.executemany(f"INSERT INTO {table} VALUES (?, ?)",
                                 ((prefix, json.dumps(names, ensure_ascii=False)) for prefix, names in data.items()))
                longest[table] = max([longest[table], *map(len, data)])
                del data
        conn.execute("CREATE TABLE region (code TEXT PRIMARY KEY, names TEXT NOT NULL) WITHOUT ROWID")
        regions = _data_module(LIBRARY / "geodata" / "locale.py").LOCALE_DATA
        conn.executemany("INSERT INTO region VALUES (?, ?)",
                         ((code, json.dumps(names, ensure_ascii=False)) for code, names in regions.items()))
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.executemany("INSERT INTO meta VALUES (?, ?)",
                         [("phonenumbers", pn.__version__), *((f"longest_{t}", str(n)) for t, n in longest.items())])
        conn.commit()
    finally:
        conn.close()
    os.chmod(tmp, 0o644)    # library data, no secret: readable by every user of the box, as the library is
    os.replace(tmp, target)
    return target


class _Prefixes:
    """One table as the mapping phonenumbers.prefix reads (`prefix in data`, then `data[prefix]` for the prefix
    found): a primary-key read per prefix tried, the found one not read twice; only for numbers the callers have not
    cached."""

    def __init__(self, source: "_Source", table: str):
        self.source, self.table = source, table
        self._last: tuple[str, dict | None] = ("", None)

    def _names(self, prefix: str) -> dict | None:
        last = self._last          # one tuple, read and replaced whole: threads may share the mapping
        if last[0] != prefix:
            last = self._last = (prefix, self.source.names(self.table, prefix))
        return last[1]

    def __contains__(self, prefix: str) -> bool:
        return self._names(prefix) is not None

    def __getitem__(self, prefix: str) -> dict:
        names = self._names(prefix)
        if names is None:
            raise KeyError(prefix)
        return names


class _Source:
    def __init__(self, path: Path):
        # read-only and immutable: no lock file, no journal; one connection shared by the threads of a process
        self.conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        meta = dict(self.conn.execute("SELECT key, value FROM meta"))
        if meta.get("phonenumbers") != pn.__version__:
            raise sqlite3.DatabaseError(f"{path} is for phonenumbers {meta.get('phonenumbers')}")
        self.longest = {t: int(meta[f"longest_{t}"]) for t in TABLES}
        # Any: phonenumbers' stubs say dict; the library only uses `in` and `[]`
        self.geo: Any = _Prefixes(self, "geo")
        self.carrier: Any = _Prefixes(self, "carrier")

    def names(self, table: str, key: str) -> dict | None:
        column = "code" if table == "region" else "prefix"
        with _query_lock:
            row = self.conn.execute(f"SELECT names FROM {table} WHERE {column} = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])


def _region_display_name(source: _Source, region_code: str, lang: str) -> str:
    names = source.names("region", region_code) or {}
    name = names.get(lang, "")
    if name.startswith("*"):     # "*xx": the name is the one of language xx
        name = names.get(name[1:], "")
    return name


def _geocoder(source: _Source) -> SimpleNamespace:
    """phonenumbers.geocoder's functions this project calls (region=None, script=None, as it calls them)."""

    def country_name_for_number(n: pn.PhoneNumber, lang: str) -> str:
        codes = pn.region_codes_for_country_code(n.country_code or 0)
        if len(codes) == 1:
            return _region_display_name(source, codes[0], lang)
        valid = [code for code in codes if pn.is_valid_number_for_region(n, code)]
        if len(valid) > 1:       # valid in several regions of the code: which one is not known
            return ""
        return _region_display_name(source, valid[0] if valid else "ZZ", lang)

    def description_for_valid_number(n: pn.PhoneNumber, lang: str) -> str:
        token = pn.country_mobile_token(n.country_code or 0)
        national = pn.national_significant_number(n)
        looked_up = n
        if token and national.startswith(token):     # e.g. Argentina's mobile 9 before the area code
            try:
                looked_up = pn.parse(national[len(token):], pn.region_code_for_country_code(n.country_code or 0))
            except pn.NumberParseException:
                pass
        area = _prefix_description_for_number(source.geo, source.longest["geo"], looked_up, lang)
        return area or country_name_for_number(n, lang)

    def description_for_number(n: pn.PhoneNumber, lang: str) -> str:
        ntype = pn.number_type(n)
        if ntype == T.UNKNOWN:
            return ""
        if not pn.is_number_type_geographical(ntype, n.country_code or 0):
            return country_name_for_number(n, lang)
        return description_for_valid_number(n, lang)

    return SimpleNamespace(country_name_for_number=country_name_for_number,
                           description_for_number=description_for_number,
                           description_for_valid_number=description_for_valid_number)


def _carrier(source: _Source) -> SimpleNamespace:
    """phonenumbers.carrier's functions this project calls."""

    def name_for_valid_number(n: pn.PhoneNumber, lang: str) -> str:
        return _prefix_description_for_number(source.carrier, source.longest["carrier"], n, lang)

    def name_for_number(n: pn.PhoneNumber, lang: str) -> str:
        return name_for_valid_number(n, lang) if pn.number_type(n) in _MOBILE else ""

    return SimpleNamespace(name_for_valid_number=name_for_valid_number, name_for_number=name_for_number)


_loaded: tuple[Any, Any] | None = None
# Module-level, so that the web process can make them native (webui.offload.native_locks): under gevent's
# patch_all they would be gevent locks, which lose wake-ups when the threadpool's native threads share them
_loading = threading.Lock()
_query_lock = threading.Lock()


def modules() -> tuple[Any, Any]:
    """(geocoder, carrier): from FILE (made now when missing and the folder is writable), else the library's."""
    global _loaded
    with _loading:
        if _loaded is None:
            try:
                if not FILE.exists():
                    log.info("making %s from phonenumbers' data (once per phonenumbers release)", FILE)
                    build(FILE)
                source = _Source(FILE)
                _loaded = (_geocoder(source), _carrier(source))
            except (OSError, sqlite3.Error, KeyError, ValueError) as e:
                log.warning("phone data file %s unusable (%s): using phonenumbers' own data (~110 MB in memory)",
                            FILE, e)
                from phonenumbers import carrier, geocoder   # the fall-back: the library's own, in memory
                _loaded = (geocoder, carrier)
        return _loaded


def geocoder() -> Any:
    return modules()[0]


def carrier() -> Any:
    return modules()[1]


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    made = build(Path(sys.argv[1]) if len(sys.argv) > 1 else FILE)
    print(f"{made}: {made.stat().st_size // 1024} KiB")
