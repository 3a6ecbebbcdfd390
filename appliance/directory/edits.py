"""Single edits an administrator makes by hand (the web's /directory forms), on the same dated model as imports.

People are created, moved, given extensions and ended with appliance.directory.organisation's functions (the ones
the CSV/LDAP import applies); what is here is the rest a form needs: a new person placed and given an extension in
one transaction, their details, the branches, departments and cost centres by name, and ending a line.
Names are labels, not history: a renamed department is shown under its new name in past reports too.
"""
from __future__ import annotations

import logging

from appliance.directory import texts
from appliance.directory import organisation as directory
from appliance.directory.organisation import DirectoryError
from appliance.store import IMMEDIATE, db
from appliance.store import directory as sd

log = logging.getLogger(__name__)


def _unit(kind: str) -> dict:
    """A branch, department or cost centre (`kind`) as a word of a text."""
    return texts.text(f"unit_{kind}")


def _clean(name: str) -> str:
    return " ".join(name.split())


def add_named(tenant_id: int, kind: str, name: str) -> int:
    """A new branch, department or cost centre (`kind`); a name the tenant has already (case ignored) is an error."""
    name = _clean(name)
    if not name:
        raise DirectoryError.of("needs_name", kind=_unit(kind))
    if name.casefold() in sd.named_ids(tenant_id, kind):
        raise DirectoryError.of("unit_exists", kind=_unit(kind), name=name)
    return sd.create_named(tenant_id, kind, name)


def rename_named(tenant_id: int, kind: str, named_id: int, name: str) -> str:
    """Rename the tenant's branch, department or cost centre; returns the old name."""
    name, model = _clean(name), sd.NAMED[kind]
    row = model.get_or_none(model.id == named_id, model.tenant_id == tenant_id)
    if row is None:
        raise DirectoryError.of("no_unit", kind=_unit(kind), id=named_id)
    if not name:
        raise DirectoryError.of("needs_name", kind=_unit(kind))
    other = sd.named_ids(tenant_id, kind).get(name.casefold())
    if other is not None and other != row.id:
        raise DirectoryError.of("unit_exists", kind=_unit(kind), name=name)
    old, row.name = row.name, name
    row.save()
    return old


def new_person(tenant_id: int, external_id: str, first_name: str, last_name: str, email: str, at_utc: int,
               place: tuple[int | None, int | None, int | None], extension: str = "") -> int:
    """A person placed (branch, department, cost centre) from `at_utc`, with an optional extension from then."""
    external_id = external_id.strip()
    with db.atomic(IMMEDIATE):
        pid = directory.add_person(tenant_id, external_id, first_name.strip(), last_name.strip(), email.strip())
        directory.move_person(tenant_id, pid, at_utc, *place)
        if extension.strip():
            directory.assign_extension(tenant_id, pid, extension, at_utc)
    return pid


def set_details(tenant_id: int, person_id: int, first_name: str, last_name: str, email: str) -> list[str]:
    """Change the person's names and e-mail (current values, not historised); returns the fields changed."""
    person = sd.Person.get_or_none(sd.Person.id == person_id, sd.Person.tenant_id == tenant_id)
    if person is None:
        raise DirectoryError.of("no_person", person=person_id)
    wanted = {"first_name": first_name.strip(), "last_name": last_name.strip(), "email": email.strip()}
    if not (wanted["first_name"] or wanted["last_name"]):
        raise DirectoryError.of("person_needs_name")
    changed = [f for f, v in wanted.items() if getattr(person, f) != v]
    for f in changed:
        setattr(person, f, wanted[f])
    if changed:
        person.save()
    return changed


def end_trunk(tenant_id: int, trunk: str, at_utc: int) -> None:
    """The line `trunk` is no longer in service from `at_utc`: its open provider period ends then."""
    T = sd.Trunk
    with db.atomic(IMMEDIATE):
        current = T.get_or_none(T.tenant_id == tenant_id, T.trunk == trunk.strip(), T.valid_to.is_null())
        if current is None:
            raise DirectoryError.of("trunk_not_in_service", trunk=trunk)
        if current.valid_from is not None and at_utc <= current.valid_from:
            raise DirectoryError.of("trunk_started_later", trunk=trunk)
        current.valid_to = at_utc
        current.save()
