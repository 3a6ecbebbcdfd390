"""Call notes (APP-5): written about a call, a customer or a caller's number, found again by number, call, customer
and text; the numbers and notes address of a customer (which customer a caller is).

Numbers match on their last digits as the callback list's do (callcentre.callbacks.key: 0532 123 45 67 and
+90 532 123 45 67 are one number). A note's customer is the one given, else the customer of its number.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from appliance.callcentre.callbacks import key
from appliance.delivery.mail import check_address
from appliance.store.base import IMMEDIATE
from appliance.store.messages import CallNote, CustomerContact, CustomerNumber

MAX_TEXT = 4000
PAGE = 200


class NoteError(ValueError):
    """A refused note or customer contact change; the message says why."""


@dataclass(frozen=True)
class Contact:
    """A customer's numbers and where their messages go."""
    numbers: tuple[str, ...] = ()
    notes_email: str = ""
    sms_number: str = ""


def _db():
    return CallNote._meta.database


def customer_of(number: str) -> int | None:
    """The id of the customer whose number this is, or None."""
    k = key(number)
    if not k:
        return None
    found = CustomerNumber.get_or_none(CustomerNumber.number_key == k)
    return found.customer_id if found else None


def add(author: str, text: str, *, number: str = "", call_id: int | None = None, customer_id: int | None = None,
        tenant: str = "", now: int | None = None) -> CallNote:
    """Store a note; NoteError when it is empty, too long, or about nothing."""
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise NoteError("a note needs a text")
    if len(text) > MAX_TEXT:
        raise NoteError(f"a note has at most {MAX_TEXT} characters ({len(text)} given)")
    number = number.strip()
    if call_id is None and customer_id is None and not key(number):
        raise NoteError("a note is about a call, a customer or a caller's number")
    if customer_id is None and number:
        customer_id = customer_of(number)
    return CallNote.create(call_id=call_id, customer_id=customer_id, number=number, number_key=key(number),
                           tenant=tenant, author=author, text=text,
                           created_utc=int(time.time() if now is None else now))


def _visible(query, tenant: str | None):
    return query if tenant is None else query.where(CallNote.tenant == tenant)


def of_call(call_id: int) -> list[CallNote]:
    return list(CallNote.select().where(CallNote.call_id == call_id).order_by(CallNote.created_utc, CallNote.id))


def of_customer(customer_id: int) -> list[CallNote]:
    """Every note on the customer (those on their calls and numbers too), newest first."""
    return list(CallNote.select().where(CallNote.customer_id == customer_id)
                .order_by(CallNote.created_utc.desc(), CallNote.id.desc()).limit(PAGE))


def of_number(number: str, tenant: str | None = None, limit: int = 20) -> list[CallNote]:
    """The caller's notes (by number), newest first: the panel's caller history."""
    k = key(number)
    if not k:
        return []
    q = CallNote.select().where(CallNote.number_key == k)
    return list(_visible(q, tenant).order_by(CallNote.created_utc.desc(), CallNote.id.desc()).limit(limit))


def search(text: str = "", number: str = "", customer_id: int | None = None, since: int | None = None,
           until: int | None = None, tenant: str | None = None, limit: int = PAGE) -> list[CallNote]:
    """Notes whose text contains `text` (any case), about `number` and `customer_id`, written in [since, until),
    newest first; tenant None = every tenant's."""
    q = CallNote.select()
    for word in text.split():
        q = q.where(CallNote.text.contains(word))      # LIKE: case-insensitive for ASCII
    if number.strip():
        k = key(number)
        q = q.where(CallNote.number_key == k) if k else q.where(CallNote.number.contains(number.strip()))
    if customer_id is not None:
        q = q.where(CallNote.customer_id == customer_id)
    if since is not None:
        q = q.where(CallNote.created_utc >= since)
    if until is not None:
        q = q.where(CallNote.created_utc < until)
    return list(_visible(q, tenant).order_by(CallNote.created_utc.desc(), CallNote.id.desc()).limit(limit))


def call_ids_with(text: str) -> list[int]:
    """The calls with a note containing every word of `text` (the call search's note criterion)."""
    q = CallNote.select(CallNote.call_id).where(CallNote.call_id.is_null(False))
    for word in text.split():
        q = q.where(CallNote.text.contains(word))
    found: set = {n.call_id for n in q}
    return sorted(found)


def contact(customer_id: int) -> Contact:
    c = CustomerContact.get_or_none(CustomerContact.customer_id == customer_id)
    nums = tuple(n.number for n in CustomerNumber.select().where(CustomerNumber.customer_id == customer_id)
                 .order_by(CustomerNumber.number))
    return Contact(nums, c.notes_email if c else "", c.sms_number if c else "")


def set_contact(customer_id: int, numbers: list[str], notes_email: str, sms_number: str) -> Contact:
    """Replace the customer's numbers and addresses; NoteError for a number of another customer or a bad address."""
    notes_email, sms_number = notes_email.strip(), sms_number.strip()
    if notes_email:
        try:
            notes_email = check_address(notes_email)
        except ValueError as e:
            raise NoteError(f"notes e-mail: {e}") from None
    if sms_number and not key(sms_number):
        raise NoteError(f"SMS number {sms_number!r} has too few digits")
    wanted: dict[str, str] = {}
    for n in numbers:
        n = n.strip()
        if not n:
            continue
        if not key(n):
            raise NoteError(f"number {n!r} has too few digits")
        wanted.setdefault(key(n), n)
    with _db().atomic(IMMEDIATE):
        for k, n in wanted.items():
            other = CustomerNumber.get_or_none(CustomerNumber.number_key == k,
                                               CustomerNumber.customer_id != customer_id)
            if other is not None:
                raise NoteError(f"number {n} is already another customer's (customer #{other.customer_id})")
        CustomerNumber.delete().where(CustomerNumber.customer_id == customer_id).execute()
        for k, n in wanted.items():
            CustomerNumber.create(customer_id=customer_id, number=n, number_key=k)
        (CustomerContact.insert(customer_id=customer_id, notes_email=notes_email, sms_number=sms_number)
         .on_conflict(conflict_target=[CustomerContact.customer_id],
                      update={CustomerContact.notes_email: notes_email, CustomerContact.sms_number: sms_number})
         .execute())
    return contact(customer_id)
