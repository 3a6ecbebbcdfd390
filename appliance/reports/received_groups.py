"""The trunk groups of a central's branch boxes (issue 18): each box's trunks and their providers as its directory says
them (the `trunk` table of the directory snapshot the box sends, store/sync_snapshot.py), so a box's trunk is in its
provider's group in the central's trunk reports, as in the box's own (trunks.TrunkGroups: the provider of the
directory's entry of the call's tenant and trunk valid at the call's start; none: the group ""). A call with an
empty tenant is of the box's [pbx] tenant, as on the box (its batches say it: central_branch.pbx_tenant).

`group_sql` is that rule as one SQL expression over central_call's branch, tenant, trunk and start_utc (the same on
SQLite and PostgreSQL), for the reports' GROUP BY; `label` names a row's trunk as trunks.TrunkGroups.label does.
"""
from __future__ import annotations

import json
import threading

from appliance.store.central_db import connection
from appliance.store.sync import CentralBranch
from appliance.store.sync_snapshot import CentralSnapshot

# (branch, the directory snapshot's version) -> its trunk entries: kept while the box sends no other directory
_CACHE: dict[tuple[str, str], list[tuple]] = {}
_LOCK = threading.Lock()


def _entries(doc: str) -> list[tuple]:
    """(tenant code, trunk, provider, description, valid_from, valid_to) of a directory snapshot's trunk table."""
    tables = json.loads(doc)

    def rows(name: str) -> list[dict]:
        t = tables.get(name) or {"columns": [], "rows": []}
        return [dict(zip(t["columns"], r)) for r in t["rows"]]
    codes = {r["id"]: r["code"] for r in rows("tenant")}
    return [(codes.get(r["tenant_id"], ""), r["trunk"], r["provider"] or "", r.get("description") or "",
             r.get("valid_from"), r.get("valid_to")) for r in rows("trunk")]


class BoxTrunks:
    """The trunk entries of every branch box that sent its directory (read once per report)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = {}
        self.tenants: dict[str, str] = {}       # box -> its [pbx] tenant
        with connection():
            boxes = CentralBranch.select(CentralBranch.name, CentralBranch.pbx_tenant)
            self.tenants = {r.name: r.pbx_tenant for r in boxes}
            held: list[tuple[str, str]] = [(r.branch, r.version) for r in CentralSnapshot.select(
                CentralSnapshot.branch, CentralSnapshot.version).where(CentralSnapshot.kind == "directory")]
            for branch, version in held:
                with _LOCK:
                    found = _CACHE.get((branch, version))
                if found is None:
                    doc = (CentralSnapshot.select(CentralSnapshot.doc)
                           .where(CentralSnapshot.branch == branch, CentralSnapshot.kind == "directory").scalar())
                    found = _entries(doc or "{}")
                    with _LOCK:
                        for key in [k for k in _CACHE if k[0] == branch]:
                            _CACHE.pop(key)
                        _CACHE[(branch, version)] = found
                if found:
                    self.rows[branch] = found

    def group_sql(self) -> tuple[str, list]:
        """The SQL expression of a received call's trunk group (its provider at its start, "" for none), and its
        arguments."""
        whens, args = [], []
        for branch, entries in sorted(self.rows.items()):
            own = self.tenants.get(branch, "")
            for tenant, trunk, provider, _d, lo, hi in entries:
                # as trunks.TrunkGroups on the box: a call's empty tenant is the box's [pbx] tenant
                cond = ["branch = ?", "tenant IN (?, '')" if tenant == own and own else "tenant = ?", "trunk = ?"]
                args += [branch, tenant, trunk]
                for sql, value in (("start_utc >= ?", lo), ("start_utc < ?", hi)):
                    if value is not None:
                        cond.append(sql)
                        args.append(value)
                whens.append(f"WHEN {' AND '.join(cond)} THEN ?")
                args.append(provider)
        return (f"CASE {' '.join(whens)} ELSE '' END" if whens else "''"), args

    def label(self, branch: str, trunk: str, group: str, until: int) -> str:
        """The description of the box's latest entry of `trunk` with provider `group` begun before `until`."""
        rows = [r for r in self.rows.get(branch, ()) if r[1] == trunk and r[2] == group
                and (r[4] is None or r[4] < until)]
        return max(rows, key=lambda r: -1 if r[4] is None else r[4])[3] if rows else ""
