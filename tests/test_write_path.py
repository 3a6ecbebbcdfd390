"""The write path of call rows: ingest above rating and the store, one-way imports, and the typed price between them."""
from __future__ import annotations

import ast
from zoneinfo import ZoneInfo

from appliance import store
from appliance.rating import numbering
from appliance.rating.pricing import Pricer
from appliance.records import PRICE_COLUMNS, UNPRICED, CallPrice
from conftest import REPO

APPLIANCE = REPO / "appliance"


def _imports(path) -> list[tuple[str, int, bool]]:
    """(what is imported, line, at module top) for every import from appliance in `path`."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names]   # a module, or a name in one
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out += [(n, node.lineno, node.col_offset == 0) for n in names if n.startswith("appliance.")]
    return out


def _modules(*packages: str):
    return [p for pkg in packages for p in sorted((APPLIANCE / pkg).glob("*.py"))]


def test_ingest_and_rating_import_neither_reports_nor_billing():
    # the worker process refreshes the report roll-ups when the journal is drained (reports/rollup.py builds them)
    allowed = {("worker.py", "appliance.reports.rollup")}
    for path in _modules("ingest", "rating"):
        for name, line, _ in _imports(path):
            if (path.name, name) not in allowed:
                assert not name.startswith(("appliance.reports", "appliance.billing")), f"{path.name}:{line} {name}"


def test_rating_reads_only_the_stores_tariff_tables_and_imports_no_writer():
    for path in _modules("rating"):
        for name, line, _ in _imports(path):
            assert not name.startswith("appliance.ingest"), f"{path.name}:{line} {name}"
            assert name.startswith("appliance.store.tariffs") or not name.startswith("appliance.store"), \
                f"{path.name}:{line} {name}"


def test_billing_and_the_store_import_no_call_writer_and_no_report():
    for path in _modules("billing", "store"):
        for name, line, _ in _imports(path):
            assert not name.startswith(("appliance.ingest", "appliance.reports")), f"{path.name}:{line} {name}"
            if path.parent.name == "store":
                assert not name.startswith("appliance.billing"), f"{path.name}:{line} {name}"


def test_imports_in_rating_billing_and_ingest_are_at_module_top_unless_a_comment_says_why():
    for path in _modules("rating", "billing", "ingest"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for name, line, top in _imports(path):
            assert top or "#" in lines[line - 1] or "#" in lines[line - 2], f"{path.name}:{line} {name}: why here?"


def test_the_price_columns_are_the_call_rows_columns_in_order():
    i = store.CALL_COLUMNS.index(PRICE_COLUMNS[0])
    assert store.CALL_COLUMNS[i:i + len(PRICE_COLUMNS)] == PRICE_COLUMNS
    assert PRICE_COLUMNS == ("kind", "number", "cost", "currency", "destination", "tariff", "capped")
    assert UNPRICED == ("", "", None, "", "", "", 0) and type(UNPRICED.capped) is int


def test_a_price_is_a_call_price_with_an_int_flag():
    pricer = Pricer(numbering.plan_from_options({"country": "TR", "area_codes": "232"}), None,
                    ZoneInfo("Europe/Istanbul"), cap_s=3600)
    long_call = pricer.price("out", "05321234567", 1711900000, 4000)
    assert isinstance(long_call, CallPrice) and long_call.kind == "mobile" and long_call.cost is None
    assert type(long_call.capped) is int and long_call.capped == 1   # sqlite3 binds an exact int directly
    assert type(pricer.price("in", "05321234567", 1711900000, 60).capped) is int
    assert tuple(long_call) == (long_call.kind, long_call.number, None, "", "", "", 1)
