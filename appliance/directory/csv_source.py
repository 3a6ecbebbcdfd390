"""Directory CSV files: UTF-8 (BOM or not), `;`, `,` or tab detected, one person per row, named columns."""
from __future__ import annotations

import csv
import io
import logging
import re
from datetime import datetime, tzinfo
from pathlib import Path

from appliance import config, localtime
from appliance.directory.organisation import Problem, SourcePerson
from appliance.directory import texts
from appliance.directory.texts import CSVError

log = logging.getLogger(__name__)
COLUMNS = ("tenant", "branch", "department", "cost_centre", "person_id", "first_name", "last_name",
           "extensions", "email", "valid_from")
ALIASES = {"extension": "extensions", "cost_center": "cost_centre", "id": "person_id", "company": "tenant",
           "surname": "last_name", "mail": "email"}
SEPARATORS = re.compile(r"[\s/]+")


def zone_of(cfg: config.Config) -> tzinfo:
    """The zone a date without an offset is read in: the PBX's ([pbx] timezone)."""
    return localtime.zone(cfg.raw_section("pbx").get("timezone", "").strip())


def decode(data: bytes, name: str) -> str:
    """UTF-8 with or without a BOM; anything else is a ValueError naming the line it fails on."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise CSVError("not_utf8", file=name, line=line, byte=f"{data[e.start]:#04x}") from None


def _delimiter(text: str) -> str:
    head = next((line for line in text.splitlines() if line.strip()), "")
    return max((";", ",", "\t"), key=head.count) if any(d in head for d in ";,\t") else ","


def _header(row: list[str], file: str, line: int) -> list[str]:
    names: list[str] = []
    for col, cell in enumerate(row, 1):
        name = re.sub(r"[\s-]+", "_", cell.strip().casefold())
        name = ALIASES.get(name, name)
        where = texts.text("at_column", file=file, line=line, column=col)
        if name not in COLUMNS:
            raise CSVError("unknown_column", where=where, name=cell.strip(), columns=", ".join(COLUMNS))
        if name in names:
            raise CSVError("column_twice", where=where, name=name)
        names.append(name)
    if "person_id" not in names or not {"first_name", "last_name"} & set(names):
        raise CSVError("header_needs", where=texts.text("at_line", file=file, line=line), names=", ".join(names))
    return names


def parse_time(value: str, tz: tzinfo) -> int:
    """An ISO 8601 date or date-time as UTC epoch seconds; without an offset it is local time in `tz`."""
    dt = datetime.fromisoformat(value.strip())
    if dt.tzinfo is not None:
        return int(dt.timestamp())
    return localtime.to_utc(dt, tz)[0]


def split_extensions(value: str) -> tuple[str, ...]:
    """'214 215/216' -> ('214', '215', '216'), duplicates dropped."""
    return tuple(dict.fromkeys(t for t in SEPARATORS.split(value) if t))


def read(path: Path, tz: tzinfo, default_tenant: str = "") -> tuple[list[SourcePerson], list[Problem]]:
    """The people in a directory CSV file, and the problems of rows that could not be read completely.

    A bad file (not UTF-8, unknown column, no person_id column) raises ValueError naming the problem."""
    path = Path(path)
    return read_text(decode(path.read_bytes(), str(path)), path.name, tz, default_tenant)


def read_text(text: str, name: str, tz: tzinfo, default_tenant: str = "",
              only_tenant: str = "") -> tuple[list[SourcePerson], list[Problem]]:
    """As `read`, of a file's decoded text (an upload); `name` is the file name messages give. With `only_tenant`,
    a row naming another tenant is a bad record (a tenant's administrator loads their own people only)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = None
    people: list[SourcePerson] = []
    problems: list[Problem] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = _header(row, name, reader.line_num)
            continue
        where = texts.text("at_line", file=name, line=reader.line_num)
        if len(row) != len(header):
            problems.append(Problem.of("bad_record", default_tenant, texts.text("row_skipped", problem=texts.text(
                "field_count", where=where, count=len(row), expected=len(header)))))
            continue
        rec = _person(dict(zip(header, (c.strip() for c in row))), header, where, tz, problems, default_tenant)
        if rec is not None and only_tenant and rec.tenant != only_tenant:
            at = texts.text("at_field", file=name, line=reader.line_num, column=header.index("tenant") + 1,
                            field="tenant")
            problems.append(Problem.of("bad_record", rec.tenant, texts.text("row_skipped", problem=texts.text(
                "other_tenant", where=at, tenant=rec.tenant, only=only_tenant)), (rec.person_id,)))
            rec = None
        if rec is not None:
            people.append(rec)
    if header is None:
        raise CSVError("empty_file", file=name)
    log.info("%s: %d people, %d problems", name, len(people), len(problems))
    return people, problems


def _person(values: dict[str, str], header: list[str], where: dict, tz: tzinfo, problems: list[Problem],
            default_tenant: str) -> SourcePerson | None:
    tenant = values.get("tenant", "") or default_tenant

    def at(col: str) -> dict:
        return texts.text("at_field", **where["fields"], column=header.index(col) + 1, field=col)
    if not values["person_id"]:
        problems.append(Problem.of("bad_record", tenant, texts.text("row_skipped", problem=texts.text(
            "no_person_id", where=at("person_id")))))
        return None
    valid_from = None
    if values.get("valid_from"):
        try:
            valid_from = parse_time(values["valid_from"], tz)
        except ValueError:
            problems.append(Problem.of("bad_record", tenant, texts.text("ignored", problem=texts.text(
                "bad_date", where=at("valid_from"), value=values["valid_from"])), (values["person_id"],)))
    return SourcePerson("csv", texts.english(where), values["person_id"], tenant, values.get("first_name", ""),
                        values.get("last_name", ""), values.get("email", ""), values.get("branch", ""),
                        values.get("department", ""), values.get("cost_centre", ""),
                        split_extensions(values.get("extensions", "")), valid_from, where)
