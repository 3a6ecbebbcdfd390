"""Where a campaign's numbers come from: a CSV file (uploaded or on the command line) or a CRM URL answering JSON.

A CSV is read whole before anything is stored, and a file that is not one (not UTF-8, a row with more or fewer cells
than the header, an unclosed quote, no number column) is refused as a whole with the file, line and column. A cell
that is not a phone number is not a bad file: the number is listed as invalid and never dialled.

The CRM answers a JSON list of objects, or an object with the list under "contacts" (or "data", "items", "results",
the keys CRMs' list endpoints use); each object's number is its "number" (or "phone", "telephone", "tel", "mobile")
field, every other scalar field is a custom field shown to the agent.
"""
from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

NUMBER_NAMES = ("number", "phone", "telephone", "tel", "mobile", "phone_number", "msisdn")
LIST_KEYS = ("contacts", "data", "items", "results")
MAX_FIELD_CHARS = 2000
MAX_FIELDS = 50


class SourceError(ValueError):
    """The source cannot be used as a whole; the message names the file (or URL), line and column."""

    def __init__(self, where: str, line: int, column: int | str, message: str):
        self.where, self.line, self.column, self.message = where, line, column, message
        col = f", column {column}" if column != "" else ""
        super().__init__(f"{where}: line {line}{col}: {message}")


@dataclass(frozen=True)
class Row:
    line: int                        # CSV line (1 = the header) or position in the JSON list (1-based)
    raw: str                         # the number as written
    fields: dict[str, str]           # custom fields


@dataclass(frozen=True)
class Source:
    where: str                       # the file name or URL
    fields: tuple[str, ...]          # custom field names in order
    rows: tuple[Row, ...]


def _number_column(names: list[str]) -> int | None:
    low = [n.strip().lower() for n in names]
    return next((low.index(n) for n in NUMBER_NAMES if n in low), None)


def read_csv(data: bytes | str, where: str, max_rows: int = 100000) -> Source:
    """A CSV file (UTF-8 with or without BOM; comma, semicolon or tab, as the header shows) -> Source."""
    if isinstance(data, bytes):
        try:
            text: str = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = data[:e.start].count(b"\n") + 1
            head = data.split(b"\n", 1)[0]
            sep = max((b",", b";", b"\t"), key=head.count)
            column = data[data.rfind(b"\n", 0, e.start) + 1:e.start].count(sep) + 1   # the cell, not the byte
            raise SourceError(where, line, column, "not UTF-8 text (save the file as CSV UTF-8)") from None
    else:
        text = data.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as e:
        raise SourceError(where, 1, "", f"not CSV: {e}") from None
    if not header or not any(h.strip() for h in header):
        raise SourceError(where, 1, "", "empty: the first line must name the columns (number, name, ...)")
    names = [h.strip() for h in header]
    at = _number_column(names)
    if at is None:
        raise SourceError(where, 1, "", f"no number column: name one of {', '.join(NUMBER_NAMES)}")
    for i, n in enumerate(names):
        if not n:
            raise SourceError(where, 1, i + 1, "a column without a name")
        if names.index(n) != i:
            raise SourceError(where, 1, i + 1, f"column {n!r} twice")
    if len(names) > MAX_FIELDS:
        raise SourceError(where, 1, MAX_FIELDS + 1, f"more than {MAX_FIELDS} columns")
    rows: list[Row] = []
    line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:    # an unclosed quote runs to the end: the record began on the line after `line`
            raise SourceError(where, line + 1, "", f"not CSV: {e}") from None
        start, line = line + 1, reader.line_num
        if not cells or not any(c.strip() for c in cells):
            continue
        if len(cells) != len(names):
            column = min(len(cells), len(names)) + 1
            raise SourceError(where, start, column, f"{len(cells)} cells, the header has {len(names)}")
        for i, c in enumerate(cells):
            if len(c) > MAX_FIELD_CHARS:
                raise SourceError(where, start, i + 1, f"longer than {MAX_FIELD_CHARS} characters")
        if len(rows) >= max_rows:
            raise SourceError(where, start, "", f"more than {max_rows} contacts ([dialer] max_contacts)")
        rows.append(Row(start, cells[at].strip(), {n: cells[i].strip() for i, n in enumerate(names) if i != at}))
    if not rows:
        raise SourceError(where, 2, "", "no contacts after the header")
    return Source(where, tuple(n for i, n in enumerate(names) if i != at), tuple(rows))


def read_json(data: bytes | str, where: str, max_rows: int = 100000) -> Source:
    """A CRM's JSON answer -> Source; SourceError (line = the item's position) for anything unusable."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as e:
        line = getattr(e, "lineno", 1)
        raise SourceError(where, line, getattr(e, "colno", ""), f"not JSON: {getattr(e, 'msg', e)}") from None
    if isinstance(doc, dict):
        doc = next((doc[k] for k in LIST_KEYS if isinstance(doc.get(k), list)), None)
    if not isinstance(doc, list):
        raise SourceError(where, 1, "", f"expected a list of contacts (or an object with {', '.join(LIST_KEYS)})")
    if len(doc) > max_rows:
        raise SourceError(where, max_rows + 1, "", f"more than {max_rows} contacts ([dialer] max_contacts)")
    fields: dict[str, None] = {}
    rows: list[Row] = []
    for pos, item in enumerate(doc, 1):
        if not isinstance(item, dict):
            raise SourceError(where, pos, "", "a contact must be an object")
        key = next((k for k in item if k.strip().lower() in NUMBER_NAMES), None)
        if key is None:
            raise SourceError(where, pos, "", f"no number field ({', '.join(NUMBER_NAMES)})")
        extra = {}
        for k, v in item.items():
            if k == key or isinstance(v, (dict, list)):
                continue
            value = "" if v is None else str(v)
            if len(value) > MAX_FIELD_CHARS:
                raise SourceError(where, pos, k, f"longer than {MAX_FIELD_CHARS} characters")
            extra[str(k)] = value
            fields.setdefault(str(k))
        rows.append(Row(pos, "" if item[key] is None else str(item[key]).strip(), extra))
    if len(fields) > MAX_FIELDS:
        raise SourceError(where, 1, "", f"more than {MAX_FIELDS} fields")
    if not rows:
        raise SourceError(where, 1, "", "no contacts in the answer")
    return Source(where, tuple(fields), tuple(rows))


def fetch_crm(url: str, timeout_s: float, max_rows: int = 100000, max_bytes: int = 64 << 20) -> Source:
    """GET the CRM URL (http or https) and read its JSON; SourceError when it cannot be reached or read."""
    if not url.lower().startswith(("http://", "https://")):
        raise SourceError(url, 1, "", "a CRM URL must start with http:// or https://")
    req = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "callbox-dialer"})
    try:
        with urllib.request.urlopen(req, timeout=timeout_s) as resp:
            body = resp.read(max_bytes + 1)
    except urllib.error.HTTPError as e:
        raise SourceError(url, 1, "", f"the CRM answered HTTP {e.code}") from None
    except (urllib.error.URLError, OSError) as e:
        raise SourceError(url, 1, "", f"the CRM cannot be reached: {getattr(e, 'reason', e)}") from None
    if len(body) > max_bytes:
        raise SourceError(url, 1, "", f"the answer is over {max_bytes >> 20} MB")
    return read_json(body, url, max_rows)
