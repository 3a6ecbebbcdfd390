"""A call's summary row from its legs: start, direction, parties, talk time, answer and price (the parse stage and
re-processing call recompute() when a call gains or loses a leg)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from appliance import store
from appliance.records import PRICE_COLUMNS

if TYPE_CHECKING:   # for the annotations only: the rating stage loads phonenumbers (parse.py says why)
    from appliance.rating.pricing import Pricer


def talk_time(legs: list[tuple[int, int, int]], segments: bool) -> int:
    """A call's talk time from its legs' (start, ring, talk) seconds.

    Legs that are segments of one call printed with the call's own start (IP Office) follow each other:
    their talk times add up. Legs with their own start times (a/b legs, forks, transfers) may overlap:
    the conversation lasted as long as the union of their talk periods."""
    if segments:
        return sum(talk for _, _, talk in legs)
    total, end = 0, None
    for begin, finish in sorted((s + r, s + r + t) for s, r, t in legs if t > 0):
        if end is None or begin >= end:
            total += finish - begin
            end = finish
        elif finish > end:
            total += finish - end
            end = finish
    return total


def recompute(call_id: int, segments: bool = False, pricer: Pricer | None = None) -> None:
    """Set a call's summary from its legs: the first leg's start and direction, the first known parties."""
    legs = store.db.execute_sql(
        "SELECT start_utc, utc_offset, direction, extension, party, trunk, ring_s, talk_s, answered, transferred,"
        " account_code FROM leg WHERE call_id = ? ORDER BY start_utc, id", (call_id,)).fetchall()
    if not legs:
        store.db.execute_sql("DELETE FROM call WHERE id = ?", (call_id,))
        return

    # A call is what its legs to people are: its direction, parties, talk time and answer come from them. Legs to
    # an IVR menu, voicemail or a feature code (direction "system") count only for a call that has no other, so a
    # call that passed through a menu is the call it became, priced on its talk with a person.
    people = [leg for leg in legs if leg[2] != "system"] or legs
    ordered = people + [leg for leg in legs if leg[2] == "system" and leg not in people]

    def first(i: int) -> str:
        return next((leg[i] for leg in ordered if leg[i]), "")
    direction = people[0][2]
    talk = talk_time([(leg[0], leg[6], leg[7]) for leg in people], segments)
    store.db.execute_sql(
        "UPDATE call SET start_utc = ?, utc_offset = ?, direction = ?, extension = ?, party = ?, trunk = ?,"
        " ring_s = ?, talk_s = ?, answered = ?, transferred = ?, account_code = ?, legs = ? WHERE id = ?",
        (legs[0][0], legs[0][1], direction, first(3), first(4), first(5), legs[0][6], talk,
         any(leg[8] for leg in people), any(leg[9] for leg in legs), first(10), len(legs), call_id))
    if pricer is not None:   # the whole conversation is priced once, as the call it is
        price = pricer.price(direction, first(4), legs[0][0], talk, None, first(5))
        store.db.execute_sql(f"UPDATE call SET {', '.join(c + ' = ?' for c in PRICE_COLUMNS)} WHERE id = ?",
                             (*price, call_id))
