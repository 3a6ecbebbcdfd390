"""Lines that fail to release (RAT-5): talk-time caps per trunk, and calls overlapping on an analogue trunk.

An analogue trunk (a loop-start CO line) whose far end does not clear leaves the PBX counting talk time until
someone notices; the operator bills the call as it really ended. Two rules find such calls, pure functions here:
- cap: talk time over the trunk's cap ([rating] trunk_caps, else [rating] max_call_min) is priced as the cap;
- overlap: an analogue trunk ([rating] analogue_trunks) carries one call at a time, so a call still "talking"
  when the next call on the same trunk started did not release: it is priced up to that start.
The call keeps the PBX's figures as printed; its `capped` column says why it was priced shorter (CAP, OVERLAP).
"""
from __future__ import annotations

import fnmatch
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)
CAP, OVERLAP = 1, 2          # call.capped: 0 = priced as printed
REASONS = {0: "", CAP: "cap", OVERLAP: "overlap"}
SLACK_S = 2                  # PBX records round to the second: a call may seem to end a second after the next began


def _patterns(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\n", ",").split(",") if p.strip()]


@dataclass(frozen=True)
class LineRules:
    """The site's rules: caps per trunk pattern (first match wins), the global cap, the analogue trunks."""
    caps: tuple[tuple[str, int], ...] = ()     # (fnmatch pattern over the trunk name, seconds)
    cap_s: int = 0                              # [rating] max_call_min in seconds; 0 = none
    analogue: tuple[str, ...] = ()

    def cap_for(self, trunk: str) -> int:
        """The talk time priced at most on this trunk (0: no cap)."""
        for pattern, seconds in self.caps:
            if fnmatch.fnmatchcase(trunk.strip(), pattern):
                return seconds
        return self.cap_s

    def is_analogue(self, trunk: str) -> bool:
        return bool(trunk.strip()) and any(fnmatch.fnmatchcase(trunk.strip(), p) for p in self.analogue)


def parse_caps(text: str, where: str = "[rating] trunk_caps") -> tuple[tuple[str, int], ...]:
    """'Line 1.* = 60, T07 = 240' (minutes) as (pattern, seconds) pairs; ValueError naming the bad entry."""
    out = []
    for entry in _patterns(text):
        pattern, eq, minutes = entry.partition("=")
        if not eq or not pattern.strip() or not minutes.strip().isdigit() or not 0 < int(minutes) <= 10080:
            raise ValueError(f"{where}: {entry!r} is not TRUNK = MINUTES (1-10080; TRUNK may use * and ?)")
        out.append((pattern.strip(), int(minutes) * 60))
    return tuple(out)


def rules_from(rating) -> LineRules:
    """The LineRules of a [rating] section (config.section("rating"))."""
    return LineRules(parse_caps(rating.trunk_caps), rating.max_call_min * 60, tuple(_patterns(rating.analogue_trunks)))


def overlaps(calls: list[tuple[int, str, int, int, int]], rules: LineRules) -> dict[int, int]:
    """{call id: seconds of talk it can have had} for the calls (id, trunk, start_utc, ring_s, talk_s) still up
    when the next call on the same analogue trunk started. Calls on other trunks are ignored."""
    by_trunk: dict[str, list[tuple[int, int, int, int]]] = {}
    for cid, trunk, start, ring, talk in calls:
        if rules.is_analogue(trunk):
            by_trunk.setdefault(trunk.strip(), []).append((start, cid, ring, talk))
    out = {}
    for seq in by_trunk.values():
        seq.sort()
        for (start, cid, ring, talk), (nxt, _, _, _) in zip(seq, seq[1:]):
            if start + ring + talk > nxt + SLACK_S:
                out[cid] = max(0, nxt - start - ring)
    return out
