"""Trunks/lines and their providers from a CSV file (DIR-1): read and check the whole file, then apply it at once."""
from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo

from appliance.directory import organisation as directory
from appliance.directory import texts
from appliance.directory.csv_source import parse_time
from appliance.store import IMMEDIATE, db
from appliance.store import directory as sd

log = logging.getLogger(__name__)
COLUMNS = ("trunk", "name", "provider", "valid_from")
REQUIRED = ("trunk", "provider")
ALIASES = {"line": "trunk", "description": "name", "carrier": "provider"}
ALWAYS = directory.ALWAYS


class TrunkFileError(ValueError):
    """A trunk CSV file that cannot be applied; the message names the file, line and column (.text: as a key and
    fields, appliance.directory.texts; None for a message given in words already)."""

    def __init__(self, message: str, text: dict | None = None):
        super().__init__(message)
        self.text = text

    @classmethod
    def of(cls, key: str, **fields: object) -> TrunkFileError:
        return cls(texts.english(said := texts.text(key, **fields)), said)


@dataclass(frozen=True, slots=True)
class TrunkRow:
    """One row of a trunk file: `trunk` is served by `provider` from `valid_from` (None: not given)."""
    line: int
    trunk: str
    name: str
    provider: str
    valid_from: int | None


@dataclass(slots=True)
class TrunkImport:
    """What applying a trunk file did: one message per added or changed trunk, and the count left as it was."""
    tenant: str
    rows: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0

    def to_dict(self) -> dict:
        return {"tenant": self.tenant, "rows": self.rows, "added": self.added, "changed": self.changed,
                "unchanged": self.unchanged}

    def text(self) -> str:
        head = (f"trunks of tenant {self.tenant}: {self.rows} rows, {len(self.added)} added, "
                f"{len(self.changed)} changed, {self.unchanged} unchanged")
        return "\n".join([head] + [f"  added: {m}" for m in self.added] + [f"  changed: {m}" for m in self.changed])


def _t(at: int | None) -> str:
    return "always" if at is None else datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _delimiter(text: str) -> str:
    head = next((line for line in text.splitlines() if line.strip()), "")
    return max((";", ",", "\t"), key=head.count) if any(d in head for d in ";,\t") else ","


def _header(row: list[str], where: dict) -> list[str]:
    names: list[str] = []
    for col, cell in enumerate(row, 1):
        name = re.sub(r"[\s-]+", "_", cell.strip().casefold())
        name = ALIASES.get(name, name)
        at = texts.text("at_column", **where["fields"], column=col)
        if name not in COLUMNS:
            raise TrunkFileError.of("trunk_unknown_column", where=at, name=cell.strip(), columns=", ".join(COLUMNS))
        if name in names:
            raise TrunkFileError.of("trunk_column_twice", where=at, name=name)
        names.append(name)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise TrunkFileError.of("trunk_header_needs", where=where, columns=", ".join(missing))
    return names


def read_text(text: str, name: str, tz: tzinfo) -> list[TrunkRow]:
    """The rows of a trunk CSV file (text already decoded); any bad row raises TrunkFileError naming it."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header: list[str] | None = None
    rows: list[TrunkRow] = []
    seen: dict[tuple[str, int | None], int] = {}
    for cells in reader:
        where = texts.text("at_line", file=name, line=reader.line_num)
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = _header(cells, where)
            continue
        if len(cells) != len(header):
            raise TrunkFileError.of("field_count", where=where, count=len(cells), expected=len(header))
        row = _row(dict(zip(header, (c.strip() for c in cells))), header, where, reader.line_num, tz)
        if (row.trunk, row.valid_from) in seen:
            at = texts.text("at_column", file=name, line=reader.line_num, column=header.index("trunk") + 1)
            raise TrunkFileError.of("trunk_twice", where=at, trunk=row.trunk, line=seen[row.trunk, row.valid_from])
        seen[row.trunk, row.valid_from] = reader.line_num
        rows.append(row)
    if header is None:
        raise TrunkFileError.of("empty_file", file=name)
    return rows


def _row(values: dict[str, str], header: list[str], where: dict, line: int, tz: tzinfo) -> TrunkRow:
    def at(col: str) -> dict:
        return texts.text("at_field", **where["fields"], column=header.index(col) + 1, field=col)
    for col in REQUIRED:
        if not values[col]:
            raise TrunkFileError.of("empty_field", where=at(col))
    valid_from = None
    if values.get("valid_from"):
        try:
            valid_from = parse_time(values["valid_from"], tz)
        except ValueError:
            raise TrunkFileError.of("bad_date", where=at("valid_from"), value=values["valid_from"]) from None
    return TrunkRow(line, values["trunk"], values.get("name", ""), values["provider"], valid_from)


def decode(data: bytes, name: str) -> str:
    """UTF-8 with or without a BOM; anything else raises TrunkFileError with the line it fails on."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise TrunkFileError.of("trunk_not_utf8", where=texts.text("at_line", file=name, line=line),
                                byte=f"{data[e.start]:#04x}") from None


def apply(tenant_id: int, rows: list[TrunkRow], now: int) -> TrunkImport:
    """Apply the rows in one transaction (all or nothing). A row without valid_from starts a trunk new to
    the tenant since always, and changes a known trunk as of `now`; nothing is changed backwards."""
    result = TrunkImport(sd.tenant_code(tenant_id), rows=len(rows))
    ordered = sorted(rows, key=lambda r: (r.trunk, ALWAYS if r.valid_from is None else r.valid_from, r.line))
    with db.atomic(IMMEDIATE):
        for row in ordered:
            try:
                _apply_row(tenant_id, row, now, result)
            except directory.DirectoryError as e:
                raise TrunkFileError.of("at_row", line=row.line, error=texts.error_text(e)) from None
    log.info("trunks of %s: %s", result.tenant, result.text().splitlines()[0])
    return result


def _apply_row(tenant_id: int, row: TrunkRow, now: int, result: TrunkImport) -> None:
    T = sd.Trunk
    current = T.get_or_none(T.tenant_id == tenant_id, T.trunk == row.trunk, T.valid_to.is_null())
    known = T.select().where(T.tenant_id == tenant_id, T.trunk == row.trunk).exists()
    at = row.valid_from if row.valid_from is not None or not known else now
    shown = f"{row.trunk} ({row.name}) " if row.name else f"{row.trunk} "
    if current is not None and current.provider == row.provider:
        if row.name and current.description != row.name:
            current.description = row.name          # the name is a label, not historised
            current.save()
            result.changed.append(f"{shown}renamed")
        else:
            result.unchanged += 1
        return
    directory.set_trunk(tenant_id, row.trunk, row.provider, at, row.name or (current.description if current else ""))
    if current is None:
        result.added.append(f"{shown}provider {row.provider} from {_t(at)}")
    else:
        result.changed.append(f"{shown}provider {current.provider} -> {row.provider} from {_t(at)}")


def trunks(tenant_id: int) -> list[sd.Trunk]:
    """Every trunk row of the tenant, current and past, by trunk then start."""
    T = sd.Trunk
    rows = list(T.select().where(T.tenant_id == tenant_id))
    return sorted(rows, key=lambda r: (r.trunk.casefold(), ALWAYS if r.valid_from is None else r.valid_from))
