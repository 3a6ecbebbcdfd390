"""Hunt groups in reports (issue 20): a call to hunt group 200 "Sales" ([directory] hunt_groups) is shown as
"Sales (hunt group 200)" wherever a report shows that number as an extension or a number, and the `hunt_group`
dimension groups and filters calls by the group their extension or number is (a filter takes the group's number or
its name).

The group is found when the report is run or shown, from the setting as it is then, never stored: the setting
changes any day (a group added, renamed, renumbered) and the reports must follow at once, where a stored dimension
would need every roll-up rebuilt (at 10 million calls, minutes of a busy box) and would keep yesterday's names in
the meantime. The price: the `hunt_group` dimension needs the call's number, which no roll-up holds, so a report by
it reads the calls of its range (as a report by number does); the names on extension and number rows cost nothing.
The call's direction stays the PBX's (README: a call to a hunt group keeps it).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator, Mapping

# the groups {number: name} of the report being run (engine.run sets them for its thread or greenlet)
_GROUPS: ContextVar[Mapping[str, str]] = ContextVar("hunt_groups", default={})


@contextmanager
def using(groups: Mapping[str, str] | None) -> Iterator[None]:
    """Run a report with these groups (none: no call is in a hunt group)."""
    token = _GROUPS.set(dict(groups or {}))
    try:
        yield
    finally:
        _GROUPS.reset(token)


def group_of(extension: str | None, number: str | None) -> str:
    """The number of the hunt group a call's extension, else its number (the party called or calling), is; ""."""
    groups = _GROUPS.get()
    if not groups:
        return ""
    for value in (extension, number):
        if value and value.strip() in groups:
            return value.strip()
    return ""


def passes(group: str, allowed: tuple[str, ...]) -> bool:
    """Whether a filter on hunt groups (their numbers or names) keeps a call in `group` (its number)."""
    return group in allowed or (bool(group) and _GROUPS.get().get(group) in allowed)


def cache_key(dims_and_filters: set[str]) -> tuple:
    """What a kept report result depends on besides the data: the groups, when the report groups or filters by
    them."""
    return tuple(sorted(_GROUPS.get().items())) if "hunt_group" in dims_and_filters else ()


def current() -> dict[str, str]:
    """The groups of the report being run."""
    return dict(_GROUPS.get())
