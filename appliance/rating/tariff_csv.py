"""The tariff CSV layout (provisioning/tariffs/README.md): read, naming line and column of an error; write."""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from appliance.rating.tariffs import (ALL_BANDS, REQUIRED_SETTINGS, SECTIONS, SETTINGS, Band, Destination, Holiday,
                                      PlanProblem, PlanVersion, Rate, TariffError, check, format_days, format_steps,
                                      format_time, parse_classes, parse_date, parse_days, parse_money, parse_name,
                                      parse_prefixes, parse_steps, parse_time)

log = logging.getLogger(__name__)
PREFIXES_PER_ROW = 100   # export: a destination with more prefixes continues on further rows (spreadsheet cells)

# Section -> its columns (the first is the key column and names the section), and the required ones.
COLUMNS = {
    "setting": (("setting", "value"), ("value",)),
    "band": (("band", "days", "from", "to"), ("days", "from", "to")),
    "holiday": (("holiday", "from", "name"), ()),
    "destination": (("destination", "prefixes", "classes"), ()),
    "rate": (("destination", "band", "connection_fee", "minimum", "steps"), ("band", "steps")),
}


@dataclass
class _Version:
    """A plan version being read, with the line of each part for error messages (line 0: none started yet)."""
    line: int
    settings: dict[str, Any] = field(default_factory=dict)
    where: dict[tuple, int] = field(default_factory=dict)    # part key (as PlanProblem.key) -> line
    bands: list[Band] = field(default_factory=list)
    holidays: list[Holiday] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    dests: dict[str, tuple[list[str], tuple[str, ...]]] = field(default_factory=dict)   # name -> prefixes, classes


class _Reader:
    def __init__(self, source: str):
        self.source, self.cur, self.section = source, _Version(0), ""
        self.versions: list[PlanVersion] = []
        self.cols: tuple[str, ...] = ()

    def fail(self, line: int, col: int | None, message: str) -> None:
        name = "" if col is None else self.cols[col] if col < len(self.cols) else "beyond the header"
        where = "" if col is None else f", column {name} ({chr(ord('A') + col)})"   # a section has < 26 columns
        raise TariffError(f"{self.source} line {line}{where}: {message}")

    def read(self, text: str) -> list[PlanVersion]:
        text = text.removeprefix("\ufeff")
        first = next((ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")), "")
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=";" if first.count(";") > first.count(",") else ",")
        for row in rows:
            cells = [c.strip() for c in row]
            while cells and not cells[-1]:
                cells.pop()
            if cells and not cells[0].startswith("#"):
                self.row(rows.line_num, cells)
        self.finish()
        if not self.versions:
            raise TariffError(f"{self.source}: no plan in the file (it starts with a 'setting,value' header)")
        return self.versions

    def row(self, line: int, cells: list[str]) -> None:
        key = cells[0].lower()
        if key in SECTIONS:
            return self.header(line, key, [c.lower() for c in cells])
        if not self.cur.line:   # line 0: no plan started yet
            self.fail(line, None, "expected the header 'setting,value' that starts a plan")
        if len(cells) > len(self.cols):
            self.fail(line, len(self.cols), f"{cells[len(self.cols)]!r} is beyond the header's columns (a comma "
                                            "in a cell? quote the cell, and write decimals with a dot)")
        values: dict[str, str] = dict(zip(self.cols, cells))
        getattr(self, "row_" + self.section)(line, values)

    def header(self, line: int, key: str, cells: list[str]) -> None:
        section = "rate" if key == "destination" and ({"band", "steps"} & set(cells)) else key
        self.cols = tuple(cells)
        known, required = COLUMNS[section]
        for i, c in enumerate(cells):
            if c not in known or c in cells[:i]:
                self.fail(line, i, f"{'repeated' if c in known else 'unknown'} column {c!r}; "
                                   f"the {section} section has {', '.join(known)}")
        for c in (c for c in required if c not in cells):
            self.fail(line, None, f"the {section} section needs a column {c!r}")
        if section == "setting":
            self.finish()
            self.cur = _Version(line)
        elif not self.cur.line:
            self.fail(line, None, "a plan starts with its 'setting,value' section")
        self.section = section

    def cell(self, line: int, values: dict, column: str, parse: Callable[[str], Any], default: Any = None) -> Any:
        text = values.get(column, "")
        if any(ord(c) < 32 for c in text):   # write_csv would not quote a lone CR: keep cells to one line
            self.fail(line, self.cols.index(column), f"{text!r} has a line break or control character")
        if not text and default is not None:
            return default
        try:
            return parse(text)
        except ValueError as e:
            self.fail(line, self.cols.index(column) if column in self.cols else None, str(e))

    def row_setting(self, line: int, values: dict) -> None:
        name = values["setting"].lower()
        if name not in SETTINGS or name in self.cur.settings:
            self.fail(line, 0, f"{'repeated' if name in SETTINGS else 'unknown'} setting {name!r}; "
                               f"settings are {', '.join(SETTINGS)}")
        self.cur.settings[name] = self.cell(line, values, "value", SETTINGS[name])

    def row_band(self, line: int, values: dict) -> None:
        name, days = self.cell(line, values, "band", parse_name), self.cell(line, values, "days", parse_days)
        start = self.cell(line, values, "from", parse_time)
        end = self.cell(line, values, "to", lambda t: parse_time(t, end=True))
        if start >= end:
            self.fail(line, self.cols.index("to"), f"{format_time(end)} is not after {format_time(start)}: write "
                      "a band that crosses midnight as two rows (e.g. 18:00-24:00 and 00:00-08:00)")
        self.cur.where[("band", len(self.cur.bands))] = line
        self.cur.bands.append(Band(name, days, start, end))

    def row_holiday(self, line: int, values: dict) -> None:
        self.cur.where[("holiday", len(self.cur.holidays))] = line
        self.cur.holidays.append(Holiday(self.cell(line, values, "holiday", parse_date),
                                         self.cell(line, values, "name", str.strip, ""),
                                         self.cell(line, values, "from", parse_time, 0)))

    def row_destination(self, line: int, values: dict) -> None:
        name = self.cell(line, values, "destination", parse_name)
        prefixes = self.cell(line, values, "prefixes", parse_prefixes, ())
        classes = self.cell(line, values, "classes", parse_classes, ())
        known, earlier = self.cur.dests.get(name, ([], ()))
        self.cur.where.setdefault(("destination", name), line)
        if classes and earlier and classes != earlier:
            self.fail(line, self.cols.index("classes"), f"destination {name!r} has classes {' '.join(earlier)} "
                      "on an earlier row; give its classes once")
        self.cur.dests[name] = (known + list(prefixes), classes or earlier)
        for p in prefixes:
            self.cur.where.setdefault(("prefix", p, name), line)

    def row_rate(self, line: int, values: dict) -> None:
        self.cur.where[("rate", len(self.cur.rates))] = line
        money = (lambda col: self.cell(line, values, col, parse_money, Decimal("0")))
        self.cur.rates.append(Rate(self.cell(line, values, "destination", parse_name),
                                   self.cell(line, values, "band", lambda t: t if t == ALL_BANDS else parse_name(t)),
                                   self.cell(line, values, "steps", parse_steps),
                                   money("connection_fee"), money("minimum")))

    def finish(self) -> None:
        v, self.cur = self.cur, _Version(0)
        if not v.line:
            return
        for name in (n for n in REQUIRED_SETTINGS if n not in v.settings):
            self.fail(v.line, None, f"the plan has no {name!r} setting")
        dests = tuple(Destination(n, tuple(dict.fromkeys(p)), c) for n, (p, c) in v.dests.items())
        version = PlanVersion(destinations=dests, rates=tuple(v.rates), bands=tuple(v.bands),
                              holidays=tuple(v.holidays), **v.settings)
        try:
            check(version)
        except PlanProblem as e:
            self.fail(v.where.get(e.key, v.line), None, str(e))
        self.versions.append(version)


def read_csv(text: str, source: str = "<csv>") -> list[PlanVersion]:
    """Every plan version in a tariff file (text decoded from UTF-8, BOM allowed; ',' or ';' separated)."""
    return _Reader(source).read(text)


def write_csv(versions: list[PlanVersion]) -> str:
    """The canonical file for these versions: read_csv(write_csv(v)) == v, and writing again gives the same text."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    for i, v in enumerate(versions):
        w.writerows(([[]] if i else []) + [["setting", "value"]])
        w.writerows([key, getattr(v, key).isoformat() if key == "valid_from" else getattr(v, key)]
                    for key in SETTINGS)
        w.writerows(([[], list(COLUMNS["band"][0])] if v.bands else []) + [
            [b.name, format_days(b.days), format_time(b.start_min), format_time(b.end_min)] for b in v.bands])
        w.writerows(([[], list(COLUMNS["holiday"][0])] if v.holidays else []) + [
            [h.day.isoformat(), format_time(h.from_min) if h.from_min else "", h.name] for h in v.holidays])
        w.writerows([[], list(COLUMNS["destination"][0])])
        for d in v.destinations:
            chunks = [d.prefixes[j:j + PREFIXES_PER_ROW] for j in range(0, len(d.prefixes), PREFIXES_PER_ROW)]
            w.writerows([d.name, " ".join(c), " ".join(d.classes) if j == 0 else ""]
                        for j, c in enumerate(chunks or [()]))
        w.writerows([[], list(COLUMNS["rate"][0])])
        w.writerows([r.destination, r.band, f"{r.connection_fee:f}", f"{r.minimum:f}", format_steps(r.steps)]
                    for r in v.rates)
    return out.getvalue()
