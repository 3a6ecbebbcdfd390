"""Call notes, the numbers and addresses of customers, and the messages sent to customers (APP-5, issue 16).

A note belongs to a call, a customer, or both, and always to the number it was written about (the caller's: the
panel and the caller history find a caller's notes by it). A message is one SMS or e-mail to a customer or a
caller, queued in the outbox (outbox_id) by a notification rule; its delivery state is the outbox item's. SMS
units are stored as counted when queued (appliance/messages/units.py), for the accounting report. Customers are
referred to by id (customer.id) rather than by a foreign key: the web writes these tables on a connection of
their own (webui.db.write_access), without the customer tables. Times are integer UTC epoch seconds.
"""
from __future__ import annotations

from peewee import IntegerField, TextField

from appliance.store.base import Base


class CallNote(Base):
    """A note written by a user about a call, a customer, or a caller's number."""
    id = IntegerField(primary_key=True)
    call_id = IntegerField(null=True, index=True)      # the call it is about (None: a note on the customer)
    customer_id = IntegerField(null=True, index=True)  # the customer it is about, where known
    number = TextField(default="", index=True)         # the caller's (other party's) number, as the call has it
    number_key = TextField(default="", index=True)     # its last digits (callcentre.callbacks.key) for matching
    tenant = TextField(default="")                     # the writer's tenant ("" = the box's)
    author = TextField()                               # the username who wrote it
    text = TextField()
    created_utc = IntegerField(index=True)
    mailed_utc = IntegerField(null=True)               # a copy queued to the customer's notes address at (None: not)


class CustomerNumber(Base):
    """A phone number of a customer: a call from or to it is the customer's (the caller's name on the panel)."""
    id = IntegerField(primary_key=True)
    customer_id = IntegerField(index=True)
    number = TextField()
    number_key = TextField(unique=True)                 # one customer per number


class CustomerContact(Base):
    """Where a customer's messages go: the copy of their call notes (e-mail) and their SMS number."""
    id = IntegerField(primary_key=True)
    customer_id = IntegerField(unique=True)
    notes_email = TextField(default="")    # a copy of every note on the customer goes here ("" = none)
    sms_number = TextField(default="")     # the customer's own SMS number (rules sending to the customer)


class Message(Base):
    """One SMS or e-mail queued for a customer or caller by a rule; delivery state: the outbox item's."""
    id = IntegerField(primary_key=True)
    channel = TextField()                  # sms | email
    rule = TextField()                     # lost_caller_sms | notes_email | test
    ref = TextField(unique=True)           # what it was sent for (at most one message per rule and thing)
    customer_id = IntegerField(null=True, index=True)
    recipient = TextField()
    sender = TextField(default="")
    text = TextField(default="")           # the SMS text, or the e-mail's subject
    encoding = TextField(default="")       # SMS: gsm7 | ucs2
    chars = IntegerField(default=0)        # SMS: characters (GSM-7 septets or UCS-2 code units)
    units = IntegerField(default=0)        # SMS: parts billed by the gateway (0 for an e-mail)
    created_utc = IntegerField(index=True)
    outbox_id = IntegerField(null=True)
    sent_utc = IntegerField(null=True)     # delivered at, copied from the outbox (whose records are pruned later)


CHANNELS = ("sms", "email")
MODELS_NOTES = (CallNote, CustomerNumber, CustomerContact)
MODELS_MESSAGES = (Message,)
