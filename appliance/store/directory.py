"""Directory tables (tenant, branch, department, person, placements, extensions, trunks) and their lookups.

Every row carries tenant_id and every helper takes the tenant, so no query can mix two companies. Times are
UTC epoch seconds; a validity period is [valid_from, valid_to) with NULL meaning "since always" / "still valid".
"""
from __future__ import annotations

import logging
from typing import Any

from peewee import BooleanField, IntegerField, TextField

from appliance.store.base import Base

log = logging.getLogger(__name__)


class Tenant(Base):
    """A company served by this box. `code` is what config and CSV files name it by."""
    id = IntegerField(primary_key=True)
    code = TextField(unique=True)
    name = TextField()


class Branch(Base):
    id = IntegerField(primary_key=True)
    tenant_id = IntegerField()
    name = TextField()

    class Meta:
        indexes = ((("tenant_id", "name"), True),)


class Department(Base):
    """A department of a tenant; which branch a person works in is part of the person's placement."""
    id = IntegerField(primary_key=True)
    tenant_id = IntegerField()
    name = TextField()

    class Meta:
        indexes = ((("tenant_id", "name"), True),)


class CostCentre(Base):
    id = IntegerField(primary_key=True)
    tenant_id = IntegerField()
    name = TextField()

    class Meta:
        indexes = ((("tenant_id", "name"), True),)


class Person(Base):
    """A person; names are current values (not historised), positions and extensions have history."""
    id = IntegerField(primary_key=True)
    tenant_id = IntegerField()
    external_id = TextField()          # the sources' key: CSV person id, LDAP sAMAccountName
    first_name = TextField(default="")
    last_name = TextField(default="")
    email = TextField(default="")
    origin = TextField(default="manual")   # sync (ended when it leaves every source) | import | manual
    ended_utc = IntegerField(null=True)    # set when the person left; the row is never deleted

    class Meta:
        indexes = ((("tenant_id", "external_id"), True),)


class Placement(Base):
    """Where a person worked during [valid_from, valid_to): branch, department, cost centre (each optional)."""
    id = IntegerField(primary_key=True)
    tenant_id = IntegerField()
    person_id = IntegerField()
    branch_id = IntegerField(null=True)
    department_id = IntegerField(null=True)
    cost_centre_id = IntegerField(null=True)
    valid_from = IntegerField(null=True)
    valid_to = IntegerField(null=True)

    class Meta:
        indexes = ((("tenant_id", "person_id"), False),)


class ExtensionAssignment(Base):
    """Extension `extension` belonged to person_id during [valid_from, valid_to)."""
    id = IntegerField(primary_key=True)
    tenant_id = IntegerField()
    extension = TextField()
    person_id = IntegerField()
    valid_from = IntegerField(null=True)
    valid_to = IntegerField(null=True)

    class Meta:
        indexes = ((("tenant_id", "extension"), False), (("tenant_id", "person_id"), False))


class Trunk(Base):
    """A trunk/line as the PBX names it, with its provider during [valid_from, valid_to)."""
    id = IntegerField(primary_key=True)
    tenant_id = IntegerField()
    trunk = TextField()
    provider = TextField()
    description = TextField(default="")
    valid_from = IntegerField(null=True)
    valid_to = IntegerField(null=True)

    class Meta:
        indexes = ((("tenant_id", "trunk"), False),)


class SyncRun(Base):
    """One directory sync or import: when, whether it applied, and its report (JSON)."""
    id = IntegerField(primary_key=True)
    at_utc = IntegerField(index=True)
    kind = TextField()                 # sync | import
    applied = BooleanField()
    report = TextField()


MODELS_DIRECTORY = (Tenant, Branch, Department, CostCentre, Person, Placement, ExtensionAssignment, Trunk,
                    SyncRun)
NAMED: dict[str, Any] = {"branch": Branch, "department": Department, "cost_centre": CostCentre}   # same columns


def tenant_id(code: str, create: bool = False, name: str = "") -> int | None:
    """The id of the tenant with this code (created if asked), or None."""
    row = Tenant.get_or_none(Tenant.code == code)
    if row is None and create:
        row = Tenant.create(code=code, name=name or code)
        log.info("created tenant %r", code)
    return row.id if row else None


def tenant_code(tid: int) -> str:
    return Tenant.get_by_id(tid).code


def named_ids(tenant: int, kind: str) -> dict[str, int]:
    """{casefolded name: id} of the tenant's branches, departments or cost centres."""
    model = NAMED[kind]
    return {r.name.casefold(): r.id for r in model.select(model.id, model.name).where(model.tenant_id == tenant)}


def names(tenant: int, kind: str) -> dict[int | None, str]:
    """id -> name of the tenant's branches, departments or cost centres (`kind`); look a row's optional id up."""
    model = NAMED[kind]
    return {r.id: r.name for r in model.select(model.id, model.name).where(model.tenant_id == tenant)}


def create_named(tenant: int, kind: str, name: str) -> int:
    return NAMED[kind].create(tenant_id=tenant, name=name).id


def open_placement(tenant: int, person_id: int) -> Placement | None:
    """The person's placement that has not ended, if any."""
    return (Placement.select().where(Placement.tenant_id == tenant, Placement.person_id == person_id,
                                     Placement.valid_to.is_null()).order_by(Placement.id.desc()).first())


def open_extensions(tenant: int, person_id: int | None = None) -> list[ExtensionAssignment]:
    """Assignments that have not ended: the person's, or the whole tenant's."""
    q = ExtensionAssignment.select().where(ExtensionAssignment.tenant_id == tenant,
                                           ExtensionAssignment.valid_to.is_null())
    if person_id is not None:
        q = q.where(ExtensionAssignment.person_id == person_id)
    return list(q.order_by(ExtensionAssignment.extension))


def people(tenant: int) -> dict[str, Person]:
    """The tenant's people (ended ones too) by external id."""
    return {p.external_id: p for p in Person.select().where(Person.tenant_id == tenant)}
