"""A branch box's queue agents by name on the central's wallboard, as the box's own wallboard names them (issue 18):
the person of the box's directory whose extension the agent's interface names (agents.extension_of: PJSIP/201 ->
201), as of now, from the directory snapshot the box last sent (store/sync_snapshot.py), in the box's [pbx] tenant
(its batches say it: central_branch.pbx_tenant; a box of an older release says none: its snapshot's only tenant).
An agent no person matches (or a box that sent no directory) keeps its channel, as on the box.

The same rule as directory.Index.attribute over the box's own tables (the extension's assignment starting last at
or before the time, if it has not ended; the person's first and last name). A snapshot is parsed once per version
(a directory is thousands of rows; the board is computed every few seconds).
"""
from __future__ import annotations

import bisect
import json

from appliance.callcentre.agents import extension_of
from appliance.store.central_db import connection
from appliance.store.sync import CentralBranch
from appliance.store.sync_snapshot import CentralSnapshot

ALWAYS = -(2 ** 62)
# (branch, version) -> {tenant code: {extension: (starts, [(start, end, name)])}}
_parsed: dict[tuple[str, str], dict[str, dict[str, tuple[list[int], list[tuple[int, int | None, str]]]]]] = {}
KEPT = 64      # snapshots parsed and kept (one per branch box, and the previous of a box that just sent a new one)


def _index(doc: str) -> dict:
    tables = json.loads(doc)

    def rows(name: str) -> list[dict]:
        t = tables.get(name) or {}
        return [dict(zip(t.get("columns", []), r)) for r in t.get("rows", [])]
    codes = {t["id"]: t.get("code") or "" for t in rows("tenant")}
    names = {(p.get("tenant_id"), p["id"]): " ".join(x for x in (p.get("first_name") or "", p.get("last_name") or "")
                                                     if x).strip()
             for p in rows("person")}
    out: dict[str, dict[str, list]] = {}
    for e in rows("extension_assignment"):
        name = names.get((e.get("tenant_id"), e.get("person_id")), "")
        start = ALWAYS if e.get("valid_from") is None else int(e["valid_from"])
        out.setdefault(codes.get(e.get("tenant_id"), ""), {}).setdefault(str(e["extension"]).strip(), []).append(
            (start, e.get("valid_to"), name))
    index: dict = {}
    for code, exts in out.items():
        for ext, items in exts.items():
            items.sort(key=lambda i: i[0])
            index.setdefault(code, {})[ext] = ([i[0] for i in items], items)
    return index


def _at(found: tuple[list[int], list], at: int) -> str:
    starts, items = found
    i = bisect.bisect_right(starts, at) - 1
    if i < 0:
        return ""
    _start, end, name = items[i]
    return name if end is None or at < int(end) else ""


def member_names(branch: str, members: list[str], at: int) -> dict[str, str]:
    """member -> the name, as of `at`, of the person of branch box `branch`'s directory whose extension the member's
    interface names; members with none are left out."""
    with connection():
        row = (CentralSnapshot.select(CentralSnapshot.version)
               .where(CentralSnapshot.branch == branch, CentralSnapshot.kind == "directory").first())
        if row is None:
            return {}
        key = (branch, row.version)
        if key not in _parsed:
            doc = (CentralSnapshot.select(CentralSnapshot.version, CentralSnapshot.doc)
                   .where(CentralSnapshot.branch == branch, CentralSnapshot.kind == "directory").first())
            if doc is None:
                return {}
            if len(_parsed) >= KEPT:
                _parsed.pop(next(iter(_parsed)))
            key = (branch, doc.version)
            _parsed[key] = _index(doc.doc)
        box = CentralBranch.get_or_none(CentralBranch.name == branch)
    by_tenant = _parsed[key]
    code = box.pbx_tenant if box is not None and box.pbx_tenant else ""
    if not code and len(by_tenant) == 1:     # a box of an older release: its directory's only tenant
        code = next(iter(by_tenant))
    extensions = by_tenant.get(code, {})
    out = {}
    for m in members:
        ext = extension_of(m)
        found = extensions.get(ext) if ext else None
        name = _at(found, at) if found is not None else ""
        if name:
            out[m] = name
    return out
