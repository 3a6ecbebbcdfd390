"""The organisation over time: who had an extension, and where they worked, at any moment (DIR-1..3).

A call is attributed to the person whose extension it was at the call's time, and to that person's branch,
department and cost centre at that time. Changes take effect from their moment on, never backwards: each
change ends the open row at that moment and starts a new one. Every function takes the tenant.
Also here: the record a directory source gives for a person, and their consolidation over several sources.
"""
from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass
from typing import Any, Iterable, cast

from appliance import config
from appliance.directory import texts
from appliance.store import IMMEDIATE, db
from appliance.store import directory as sd

log = logging.getLogger(__name__)
FIELDS = ("first_name", "last_name", "email", "branch", "department", "cost_centre", "extensions")
ALWAYS = -(2 ** 62)   # sort key of a NULL valid_from ("since always")


class DirectoryError(ValueError):
    """A change that would break the history (overlapping or backwards periods); the message says which, and .text
    (when set) as a key and fields (appliance.directory.texts)."""

    def __init__(self, message: str, text: dict | None = None):
        super().__init__(message)
        self.text = text

    @classmethod
    def of(cls, key: str, **fields: object) -> DirectoryError:
        return cls(texts.english(said := texts.text(key, **fields)), said)


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who an extension belonged to at a moment, and where that person worked then."""
    person_id: int
    external_id: str
    name: str
    branch_id: int | None
    branch: str | None
    department_id: int | None
    department: str | None
    cost_centre_id: int | None
    cost_centre: str | None


@dataclass(frozen=True, slots=True)
class Period:
    """One row of a person's history: a placement or an extension, valid during [valid_from, valid_to)."""
    kind: str                       # "placement" | "extension"
    valid_from: int | None
    valid_to: int | None
    branch: str | None = None
    department: str | None = None
    cost_centre: str | None = None
    extension: str | None = None


def _t(at: int | None) -> str | dict:
    return texts.text("the_beginning") if at is None else texts.iso(at)


def _covers(valid_from: int | None, valid_to: int | None, at: int) -> bool:
    return (valid_from is None or valid_from <= at) and (valid_to is None or at < valid_to)


class Intervals:
    """Non-overlapping periods per key, found by bisection."""

    def __init__(self, rows: Iterable[tuple[object, int | None, int | None, object]]):
        by_key: dict[object, list] = {}
        for key, start, end, value in rows:
            by_key.setdefault(key, []).append((ALWAYS if start is None else start, end, value))
        self.starts: dict[object, list[int]] = {}
        self.items: dict[object, list] = {}
        for key, items in by_key.items():
            items.sort(key=lambda i: i[0])
            self.starts[key], self.items[key] = [i[0] for i in items], items

    def get(self, key: object, at: int):
        starts = self.starts.get(key)
        if starts is None:
            return None
        i = bisect.bisect_right(starts, at) - 1
        if i < 0:
            return None
        _, end, value = self.items[key][i]
        return value if end is None or at < end else None


def _tuples(query) -> list[Any]:
    """A query's rows as plain tuples (peewee's stubs call them models)."""
    return list(cast(Any, query.tuples()))


class Index:
    """The whole directory of one tenant in memory: built once, then thousands of lookups per second."""

    def __init__(self, tenant_id: int, extensions: Iterable[str] | None = None):
        """The tenant's whole directory, or (`extensions` given) just what attributes those extensions: a page
        of calls needs a few dozen people, not thousands."""
        self.tenant_id = tenant_id
        t = tenant_id
        names = {kind: sd.names(t, kind) for kind in sd.NAMED}
        E, P, Pe = sd.ExtensionAssignment, sd.Placement, sd.Person
        # plain tuples, not models: a page of calls builds one of these on every request (issue 14)
        query = E.select(E.extension, E.valid_from, E.valid_to, E.person_id).where(E.tenant_id == t)
        if extensions is not None:
            query = query.where(E.extension.in_(sorted({e.strip() for e in extensions})))
        assignments = _tuples(query)
        people_q = Pe.select(Pe.id, Pe.external_id, Pe.first_name, Pe.last_name).where(Pe.tenant_id == t)
        placements = P.select(P.person_id, P.valid_from, P.valid_to, P.branch_id, P.department_id,
                              P.cost_centre_id).where(P.tenant_id == t)
        if extensions is not None:
            ids = sorted({person_id for *_, person_id in assignments})
            people_q, placements = people_q.where(Pe.id.in_(ids)), placements.where(P.person_id.in_(ids))
        people = {p[0]: p for p in _tuples(people_q)}
        self._plain = {pid: self._attribution(p, (None, None, None), names) for pid, p in people.items()}
        self.extensions = Intervals(assignments)
        self.placements = Intervals((pid, start, end, self._attribution(people[pid], where, names))
                                    for pid, start, end, *where in _tuples(placements) if pid in people)

    @staticmethod
    def _attribution(person: tuple, where, names: dict) -> Attribution:
        """person: (id, external_id, first_name, last_name); where: (branch_id, department_id, cost_centre_id)."""
        pid, external_id, first, last = person
        b, d, c = where
        return Attribution(pid, external_id, f"{first} {last}".strip(),
                           b, names["branch"].get(b), d, names["department"].get(d), c, names["cost_centre"].get(c))

    def attribute(self, extension: str, at_utc: int) -> Attribution | None:
        """As `attribute()`, from memory."""
        person_id = self.extensions.get(extension.strip(), at_utc)
        if person_id is None:
            return None
        return self.placements.get(person_id, at_utc) or self._plain.get(person_id)


def attribute(tenant_id: int, extension: str, at_utc: int) -> Attribution | None:
    """The person (and their branch, department, cost centre) that `extension` belonged to at `at_utc`."""
    E = sd.ExtensionAssignment
    for row in E.select().where(E.tenant_id == tenant_id, E.extension == extension.strip()):
        if _covers(row.valid_from, row.valid_to, at_utc):
            person = sd.Person.get_or_none(sd.Person.id == row.person_id, sd.Person.tenant_id == tenant_id)
            if person is None:
                return None
            P = sd.Placement
            placements = P.select().where(P.tenant_id == tenant_id, P.person_id == person.id)
            pl = next((p for p in placements if _covers(p.valid_from, p.valid_to, at_utc)), None)
            where = (pl.branch_id, pl.department_id, pl.cost_centre_id) if pl else (None, None, None)
            return Index._attribution((person.id, person.external_id, person.first_name, person.last_name), where,
                                      {k: sd.names(tenant_id, k) for k in sd.NAMED})
    return None


def attribute_many(tenant_id: int, lookups: Iterable[tuple[str, int]]) -> list[Attribution | None]:
    """`attribute()` for many (extension, at_utc) pairs, in order, from one in-memory index of the tenant."""
    index = Index(tenant_id)
    return [index.attribute(ext, at) for ext, at in lookups]


def add_person(tenant_id: int, external_id: str, first_name: str = "", last_name: str = "", email: str = "",
               origin: str = "manual") -> int:
    """Create a person (no placement, no extension yet); returns the person's id."""
    if not external_id.strip():
        raise DirectoryError.of("person_needs_id")
    if sd.Person.get_or_none(sd.Person.tenant_id == tenant_id, sd.Person.external_id == external_id):
        raise DirectoryError.of("person_exists", person=external_id)
    return sd.Person.create(tenant_id=tenant_id, external_id=external_id, first_name=first_name,
                            last_name=last_name, email=email, origin=origin).id


def _person(tenant_id: int, person_id: int) -> sd.Person:
    person = sd.Person.get_or_none(sd.Person.id == person_id, sd.Person.tenant_id == tenant_id)
    if person is None:
        raise DirectoryError.of("no_person_in", person=person_id, tenant=tenant_id)
    return person


def _end(row, at_utc: int, what: dict | str) -> None:
    if row.valid_from is not None and at_utc <= row.valid_from:
        raise DirectoryError.of("rewrite_history", what=what, start=_t(row.valid_from), at=_t(at_utc))
    row.valid_to = at_utc
    row.save()


def move_person(tenant_id: int, person_id: int, at_utc: int | None, branch_id: int | None = None,
                department_id: int | None = None, cost_centre_id: int | None = None) -> None:
    """Place the person from `at_utc` on (None: since always, only for a first placement); earlier calls keep
    the earlier placement."""
    person = _person(tenant_id, person_id)
    for kind, value in (("branch", branch_id), ("department", department_id), ("cost_centre", cost_centre_id)):
        if value is not None and value not in sd.names(tenant_id, kind):
            raise DirectoryError.of("no_unit_in", kind=texts.text(f"unit_{kind}"), id=value, tenant=tenant_id)
    with db.atomic(IMMEDIATE):
        current = sd.open_placement(tenant_id, person.id)
        if current is not None:
            if at_utc is None:
                raise DirectoryError.of("placement_needs_time", person=person.external_id)
            _end(current, at_utc, texts.text("placement_of", person=person.external_id))
        later = sd.Placement.select().where(sd.Placement.tenant_id == tenant_id, sd.Placement.person_id == person.id,
                                            sd.Placement.valid_to > (ALWAYS if at_utc is None else at_utc))
        if current is None and later.exists():
            raise DirectoryError.of("placement_after", person=person.external_id, at=_t(at_utc))
        sd.Placement.create(tenant_id=tenant_id, person_id=person.id, branch_id=branch_id,
                            department_id=department_id, cost_centre_id=cost_centre_id, valid_from=at_utc)
        if person.ended_utc is not None:
            person.ended_utc = None
            person.save()


def assign_extension(tenant_id: int, person_id: int, extension: str, at_utc: int | None,
                     replace: bool = False) -> None:
    """Give `extension` to the person from `at_utc` on. If someone else holds it, `replace` ends their
    assignment at that moment; otherwise it is an error (an extension has one owner at a time)."""
    person, extension = _person(tenant_id, person_id), extension.strip()
    if not extension:
        raise DirectoryError.of("empty_extension")
    E = sd.ExtensionAssignment
    with db.atomic(IMMEDIATE):
        rows = list(E.select().where(E.tenant_id == tenant_id, E.extension == extension))
        for row in rows:
            if row.valid_to is None and row.person_id == person.id:
                return
            if row.valid_to is None:
                if not replace:
                    raise DirectoryError.of("extension_taken", extension=extension, person=row.person_id)
                if at_utc is None:
                    raise DirectoryError.of("takeover_needs_time", extension=extension)
                _end(row, at_utc, texts.text("extension", extension=extension))
            elif at_utc is None or row.valid_to > at_utc:
                raise DirectoryError.of("extension_until", extension=extension, until=_t(row.valid_to), at=_t(at_utc))
        E.create(tenant_id=tenant_id, extension=extension, person_id=person.id, valid_from=at_utc)


def release_extension(tenant_id: int, person_id: int, extension: str, at_utc: int) -> bool:
    """End the person's assignment of `extension` at `at_utc`; False if they did not hold it."""
    E = sd.ExtensionAssignment
    row = E.get_or_none(E.tenant_id == tenant_id, E.person_id == person_id, E.extension == extension.strip(),
                        E.valid_to.is_null())
    if row is None:
        return False
    _end(row, at_utc, f"extension {extension}")
    return True


def end_person(tenant_id: int, person_id: int, at_utc: int) -> None:
    """The person left at `at_utc`: their placement and extensions end; the person and history stay."""
    person = _person(tenant_id, person_id)
    with db.atomic(IMMEDIATE):
        current = sd.open_placement(tenant_id, person.id)
        if current is not None:
            _end(current, at_utc, f"the placement of {person.external_id}")
        for row in sd.open_extensions(tenant_id, person.id):
            _end(row, at_utc, f"extension {row.extension}")
        person.ended_utc = at_utc
        person.save()


def history(tenant_id: int, person_id: int) -> list[Period]:
    """The person's placements and extensions, oldest first (the page of a person's moves)."""
    person = _person(tenant_id, person_id)
    names = {kind: sd.names(tenant_id, kind) for kind in sd.NAMED}
    out = [Period("placement", p.valid_from, p.valid_to, names["branch"].get(p.branch_id),
                  names["department"].get(p.department_id), names["cost_centre"].get(p.cost_centre_id))
           for p in sd.Placement.select().where(sd.Placement.tenant_id == tenant_id,
                                                sd.Placement.person_id == person.id)]
    E = sd.ExtensionAssignment
    out += [Period("extension", e.valid_from, e.valid_to, extension=e.extension)
            for e in E.select().where(E.tenant_id == tenant_id, E.person_id == person.id)]
    return sorted(out, key=lambda p: (ALWAYS if p.valid_from is None else p.valid_from, p.kind, p.extension or ""))


def set_trunk(tenant_id: int, trunk: str, provider: str, at_utc: int | None, description: str = "") -> None:
    """The trunk/line `trunk` (as the PBX prints it) is served by `provider` from `at_utc` on."""
    T = sd.Trunk
    with db.atomic(IMMEDIATE):
        current = T.get_or_none(T.tenant_id == tenant_id, T.trunk == trunk, T.valid_to.is_null())
        if current is not None:
            if current.provider == provider:
                return
            if at_utc is None:
                raise DirectoryError.of("trunk_needs_time", trunk=trunk)
            _end(current, at_utc, f"trunk {trunk}")
        T.create(tenant_id=tenant_id, trunk=trunk, provider=provider, description=description, valid_from=at_utc)


def trunk_provider(tenant_id: int, trunk: str, at_utc: int) -> str | None:
    """The provider of `trunk` at `at_utc`."""
    T = sd.Trunk
    for row in T.select().where(T.tenant_id == tenant_id, T.trunk == trunk):
        if _covers(row.valid_from, row.valid_to, at_utc):
            return row.provider
    return None

# Directory sources (CSV, LDAP) and their consolidation by precedence.


@dataclass(slots=True)
class SourcePerson:
    """One person as one source describes them. Empty strings mean "this source does not say"."""
    source: str
    where: str                     # "people.csv line 7", an LDAP DN: for messages
    person_id: str
    tenant: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    branch: str = ""
    department: str = ""
    cost_centre: str = ""
    extensions: tuple[str, ...] = ()
    valid_from: int | None = None
    where_text: dict | None = None  # `where` as a text (appliance.directory.texts: "people.csv line 7")

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.person_id


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str        # source_error, bad_record, duplicate_person, duplicate_extension, unknown_department,
    tenant: str      # unknown_branch, unknown_cost_centre, unknown_tenant, no_extension, conflict, backdated
    message: str
    people: tuple[str, ...] = ()
    text: dict | None = None   # the message as a key and fields (appliance.directory.texts); None: older reports

    @classmethod
    def of(cls, kind: str, tenant: str, text: dict, people: tuple[str, ...] = ()) -> Problem:
        return cls(kind, tenant, texts.english(text), people, text)


def casefold(value: str) -> str:
    """The form names and ids are matched in: case and spacing ignored."""
    return " ".join(value.split()).casefold()


def parse_field_precedence(text: str, sources: list[str]) -> dict[str, list[str]]:
    """'cost_centre=csv,ldap; extensions=csv' -> {field: [sources]}; a bad entry is a ConfigError."""
    out: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, sep, value = part.partition("=")
        order = [s.strip() for s in value.split(",") if s.strip()]
        if not sep or name.strip() not in FIELDS or not order or set(order) - set(sources):
            raise config.ConfigError(f"[directory] field_precedence: {part!r} should be FIELD=SOURCE,... with "
                                     f"FIELD one of {', '.join(FIELDS)} and SOURCE among {', '.join(sources)}")
        out[name.strip()] = order
    return out


def consolidate(by_source: dict[str, list[SourcePerson]], order: list[str], default_tenant: str,
                field_order: dict[str, list[str]] | None = None) -> tuple[list[SourcePerson], list[Problem]]:
    """One record per (tenant, person id) from all sources: per field, the first source in order with a value."""
    problems: list[Problem] = []
    groups: dict[tuple[str, str], dict[str, SourcePerson]] = {}
    for source in order:
        for rec in by_source.get(source, []):
            rec.tenant = rec.tenant or default_tenant
            group = groups.setdefault((rec.tenant, casefold(rec.person_id)), {})
            if source in group:
                problems.append(Problem.of("duplicate_person", rec.tenant, texts.text(
                    "duplicate_person", person=rec.person_id, source=source, first=texts.where_of(group[source]),
                    second=texts.where_of(rec)), (rec.person_id,)))
                continue
            group[source] = rec
    merged = [_merge(group, order, field_order or {}, problems) for group in groups.values()]
    return merged, problems


def _merge(group: dict[str, SourcePerson], order: list[str], field_order: dict[str, list[str]],
           problems: list[Problem]) -> SourcePerson:
    first = group[next(s for s in order if s in group)]
    out = SourcePerson(first.source, first.where, first.person_id, first.tenant)
    for name in FIELDS:
        values = [(s, getattr(group[s], name)) for s in field_order.get(name, order) if s in group]
        values = [(s, v) for s, v in values if v]
        if not values:
            continue
        setattr(out, name, values[0][1])
        key = (lambda v: frozenset(v)) if name == "extensions" else casefold
        others = [(s, v) for s, v in values[1:] if key(v) != key(values[0][1])]
        if others:
            shown = [texts.text("value_in", value=_show(v), source=s) for s, v in [values[0]] + others]
            problems.append(Problem.of("conflict", out.tenant, texts.text(
                "conflict", person=out.person_id, name=first.name, field=name, values=shown, source=values[0][0]),
                (out.person_id,)))
    out.valid_from = next((group[s].valid_from for s in order if s in group and group[s].valid_from), None)
    return out


def _show(value) -> str:
    return "/".join(value) if isinstance(value, tuple) else repr(value)
