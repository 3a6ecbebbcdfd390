"""The organisation month cube (issue 14): calls summed per local month by the department and branch their
extension's person worked in at each call's time, and by trunk and the trunk's group then.

Its rows depend on the directory as well as on the calls: appliance/reports/org_rollup.py builds and keeps it (with
the other month cubes, and again whole after a directory change); appliance/reports/org_reports.py reads it.
"""
from __future__ import annotations

from peewee import IntegerField, TextField

from appliance.store.base import Base


def _unit() -> tuple[TextField, IntegerField, IntegerField]:
    """The call tenant, department and branch columns of both cubes (new fields, in their column order)."""
    return TextField(), IntegerField(null=True), IntegerField(null=True)


def _sums() -> tuple[IntegerField, ...]:
    """The summed columns of both cubes, as the other cubes hold them (new fields, in their column order: the field
    order is the schema's, so both tables keep their columns and the schema stamp)."""
    return tuple(IntegerField() for _ in range(9))


class RollupOrgMonth(Base):
    """One local month (ym: YYYYMM) of calls of a call tenant, department and branch (ids; NULL: none then),
    trunk, trunk group, direction and currency: their sums, as the other cubes hold them."""
    ym = IntegerField(index=True)
    tenant, department_id, branch_id = _unit()
    trunk = TextField()
    trunk_group = TextField()
    direction = TextField()
    currency = TextField()
    calls, answered, ring_s, talk_s, cost_micro, priced, short, min_start, max_start = _sums()

    class Meta:
        table_name = "rollup_org_month"
        indexes = ((("department_id", "ym"), False), (("branch_id", "ym"), False))   # a department's, a branch's


class RollupUnitMonth(Base):
    """rollup_org_month summed over trunks (a department × month report reads a tenth of the rows)."""
    ym = IntegerField(index=True)
    tenant, department_id, branch_id = _unit()
    direction = TextField()
    currency = TextField()
    calls, answered, ring_s, talk_s, cost_micro, priced, short, min_start, max_start = _sums()

    class Meta:
        table_name = "rollup_unit_month"


class RollupOrgDirty(Base):
    """Local months (YYYYMM) whose organisation cube rows are out of date (their calls or the directory changed)."""
    ym = IntegerField(primary_key=True)

    class Meta:
        table_name = "rollup_org_dirty"


MODELS_ROLLUP_ORG = (RollupOrgMonth, RollupUnitMonth, RollupOrgDirty)
