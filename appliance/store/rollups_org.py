"""The organisation month cube (issue 14): calls summed per local month by the department and branch their
extension's person worked in at each call's time, and by trunk and the trunk's group then.

Its rows depend on the directory as well as on the calls: appliance/reports/org_rollup.py builds and keeps it (with
the other month cubes, and again whole after a directory change); appliance/reports/org_reports.py reads it.
"""
from __future__ import annotations

from peewee import IntegerField, TextField

from appliance.store.base import Base


class RollupOrgMonth(Base):
    """One local month (ym: YYYYMM) of calls of a call tenant, department and branch (ids; NULL: none then),
    trunk, trunk group, direction and currency: their sums, as the other cubes hold them."""
    ym = IntegerField(index=True)
    tenant = TextField()
    department_id = IntegerField(null=True)
    branch_id = IntegerField(null=True)
    trunk = TextField()
    trunk_group = TextField()
    direction = TextField()
    currency = TextField()
    calls = IntegerField()
    answered = IntegerField()
    ring_s = IntegerField()
    talk_s = IntegerField()
    cost_micro = IntegerField()
    priced = IntegerField()
    short = IntegerField()
    min_start = IntegerField()
    max_start = IntegerField()

    class Meta:
        table_name = "rollup_org_month"
        indexes = ((("department_id", "ym"), False), (("branch_id", "ym"), False))   # a department's, a branch's


class RollupUnitMonth(Base):
    """rollup_org_month summed over trunks (a department × month report reads a tenth of the rows)."""
    ym = IntegerField(index=True)
    tenant = TextField()
    department_id = IntegerField(null=True)
    branch_id = IntegerField(null=True)
    direction = TextField()
    currency = TextField()
    calls = IntegerField()
    answered = IntegerField()
    ring_s = IntegerField()
    talk_s = IntegerField()
    cost_micro = IntegerField()
    priced = IntegerField()
    short = IntegerField()
    min_start = IntegerField()
    max_start = IntegerField()

    class Meta:
        table_name = "rollup_unit_month"


class RollupOrgDirty(Base):
    """Local months (YYYYMM) whose organisation cube rows are out of date (their calls or the directory changed)."""
    ym = IntegerField(primary_key=True)

    class Meta:
        table_name = "rollup_org_dirty"


MODELS_ROLLUP_ORG = (RollupOrgMonth, RollupUnitMonth, RollupOrgDirty)
