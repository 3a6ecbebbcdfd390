"""Which queues a user sees (issue 15): queues belong to a department or a branch of the directory ([callcentre]
queue_units), and a supervisor sees the queues of their own department or branch, as they see its calls.

Who sees every call of the box (appliance.access.scope.sees_whole_box) sees every queue; a department or branch
supervisor the queues assigned to the unit their directory person works in now; anyone else none. A queue assigned to
no unit is seen only by who sees the whole box. An agent sees their own figures: the members whose interface names one
of their directory person's extensions (own_extensions).
"""
from __future__ import annotations

from dataclasses import dataclass

from appliance.access import scope
from appliance.access.users import Account
from appliance.config import ConfigError
from appliance.store import directory as sd

KINDS = ("department", "branch")


@dataclass(frozen=True)
class QueueUnits:
    """QUEUE -> (kind, unit name) from [callcentre] queue_units."""
    units: tuple[tuple[str, tuple[str, str]], ...] = ()

    def of(self, queue: str) -> tuple[str, str] | None:
        return dict(self.units).get(queue)


def parse_queue_units(text: str, where: str = "[callcentre] queue_units") -> QueueUnits:
    """`QUEUE = department NAME` / `QUEUE = branch NAME` lines; ConfigError naming a bad line."""
    found: dict[str, tuple[str, str]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        queue, sep, rest = (p.strip() for p in line.partition("="))
        kind, _, name = rest.partition(" ")
        if not sep or not queue or queue in found or kind not in KINDS or not name.strip():
            raise ConfigError(f"{where}: line {n} {line!r}: expected QUEUE = department NAME or QUEUE = branch NAME, "
                              "once per queue")
        found[queue] = (kind, name.strip())
    return QueueUnits(tuple(sorted(found.items())))


def queue_units(cfg) -> QueueUnits:
    return parse_queue_units(cfg.section("callcentre").queue_units)


def visible_queues(user: Account | None, pbx_tenant: str, units: QueueUnits) -> frozenset[str] | None:
    """The queues `user` sees: None for every queue (who sees the whole box), else a set (perhaps empty)."""
    if user is None:
        return frozenset()
    if scope.sees_whole_box(user, pbx_tenant):
        return None
    if user.role not in ("administrator", "supervisor") or user.scope not in KINDS or user.tenant != pbx_tenant:
        return frozenset()
    reach = scope.reach(user)
    if reach is None or reach.unit is None:
        return frozenset()
    name = sd.names(reach.person.tenant_id, user.scope).get(reach.unit)
    return frozenset(q for q, unit in units.units if unit == (user.scope, name))


def own_extensions(user: Account | None) -> frozenset[str]:
    """The extensions of the user's directory person now: the queue members that are theirs (agents.extension_of)."""
    if user is None or not user.person or not user.tenant:
        return frozenset()
    tid = sd.tenant_id(user.tenant)
    if tid is None:
        return frozenset()
    person = sd.Person.get_or_none(sd.Person.tenant_id == tid, sd.Person.external_id == user.person)
    return frozenset(e.extension for e in sd.open_extensions(tid, person.id)) if person is not None else frozenset()
