"""Customer tables (appliance/customers/): customers, what identifies their calls, their prepaid account's top-ups,
and their invoices and credit notes with the lines.

Money is exact decimal text, never REAL. An invoice is written once, with its lines, in one transaction
(appliance/customers/invoices.py) and never changes: the triggers of INVOICE_TRIGGERS refuse an UPDATE or DELETE of
an invoice or its lines, and a line beyond the count the invoice declared, whoever writes the file.
"""
from __future__ import annotations

from peewee import ForeignKeyField, IntegerField, TextField

from appliance.store.base import Base, db


class Customer(Base):
    """A customer re-billed for their calls at the sell price of their price list (RAT-11)."""
    id = IntegerField(primary_key=True)
    code = TextField(unique=True)         # short, stable: "acme"; invoices and the CLI name a customer by it
    name = TextField()
    price_list = TextField(default="")    # a price list's code (appliance/pricing); "" = the only one stored
    currency = TextField(default="")      # what they are billed in; "" = the price list's sell currency
    account = TextField(default="postpaid")   # prepaid | postpaid
    low_balance = TextField(default="0")  # prepaid: warn below this balance (0 = only when exhausted)
    tax_rate = TextField(default="0")     # percent added to an invoice's net (the customer's country's VAT)
    lang = TextField(default="en")        # the language of their invoices (appliance.pdf.LANGS)
    address = TextField(default="")
    monthly_fee = TextField(default="")   # a fixed-price contract's flat fee a month (RAT-12); "" = none
    created_utc = IntegerField()
    country = TextField(default="")       # ISO 3166 alpha-2 (TR): its rate in [customers] tax_rates; "" = tax_rate
    email = TextField(default="")         # where their invoices are mailed (comma-separated); "" = not mailed


class CustomerMatch(Base):
    """An extension or account code whose outgoing calls are the customer's (one customer each)."""
    id = IntegerField(primary_key=True)
    customer = ForeignKeyField(Customer, on_delete="CASCADE")
    kind = TextField()                    # extension | account
    value = TextField()

    class Meta:
        indexes = ((("kind", "value"), True),)


class CustomerTopUp(Base):
    """A payment into a prepaid customer's account."""
    id = IntegerField(primary_key=True)
    customer = ForeignKeyField(Customer, on_delete="CASCADE")
    at_utc = IntegerField(index=True)
    amount = TextField()
    note = TextField(default="")


class Invoice(Base):
    """An issued invoice or credit note: numbered without a gap per series, immutable (INVOICE_TRIGGERS)."""
    id = IntegerField(primary_key=True)
    series = TextField()
    number = IntegerField()
    kind = TextField()                    # invoice | credit
    customer = ForeignKeyField(Customer)  # no cascade: a customer with invoices stays
    credits = IntegerField(null=True)     # a credit note: the id of the invoice it corrects
    since_utc = IntegerField()            # the period billed, [since, until)
    until_utc = IntegerField()
    issued_utc = IntegerField()
    currency = TextField()
    net = TextField()
    tax_rate = TextField()
    tax = TextField()
    total = TextField()
    lang = TextField()
    line_count = IntegerField()           # the lines written with it: a trigger refuses any more
    note = TextField(default="")
    country = TextField(default="")       # the customer's country the tax rate was taken for ("" = their own rate)

    class Meta:
        indexes = ((("series", "number"), True),)


class InvoiceLine(Base):
    """One line of an invoice: a call at its sell price, or an extra item."""
    id = IntegerField(primary_key=True)
    invoice = ForeignKeyField(Invoice)
    position = IntegerField()
    call_id = IntegerField(null=True, index=True)
    start = TextField(default="")         # the call's local ISO time with offset
    number = TextField(default="")
    destination = TextField(default="")
    talk_s = IntegerField(default=0)
    description = TextField(default="")
    amount = TextField()

    class Meta:
        indexes = ((("invoice", "position"), True),)


class InvoiceMail(Base):
    """An invoice queued for e-mail to its customer (the invoice itself never changes): at most once each."""
    id = IntegerField(primary_key=True)
    invoice = ForeignKeyField(Invoice, unique=True)
    to = TextField()
    outbox_id = IntegerField(null=True)
    queued_utc = IntegerField()


class InvoiceRun(Base):
    """A month's automatic invoice run ([customers] invoice_day): claimed once, with what it did (JSON)."""
    id = IntegerField(primary_key=True)
    period = TextField(unique=True)       # YYYY-MM, the month invoiced
    started_utc = IntegerField()
    detail = TextField(default="[]")


_REFUSE = "SELECT RAISE(ABORT, 'an issued invoice cannot change: issue a credit note')"
INVOICE_TRIGGERS = (
    f"CREATE TRIGGER IF NOT EXISTS invoice_no_update BEFORE UPDATE ON invoice BEGIN {_REFUSE}; END",
    f"CREATE TRIGGER IF NOT EXISTS invoice_no_delete BEFORE DELETE ON invoice BEGIN {_REFUSE}; END",
    f"CREATE TRIGGER IF NOT EXISTS invoice_line_no_update BEFORE UPDATE ON invoice_line BEGIN {_REFUSE}; END",
    f"CREATE TRIGGER IF NOT EXISTS invoice_line_no_delete BEFORE DELETE ON invoice_line BEGIN {_REFUSE}; END",
    # lines are written with their invoice, up to the count it declares; none can be added to it later
    "CREATE TRIGGER IF NOT EXISTS invoice_line_no_insert BEFORE INSERT ON invoice_line WHEN "
    "(SELECT COUNT(*) FROM invoice_line WHERE invoice_id = NEW.invoice_id) >= "
    "(SELECT line_count FROM invoice WHERE id = NEW.invoice_id) "
    f"BEGIN {_REFUSE}; END",
)


def ensure_triggers() -> None:
    """Create the invoice triggers (open_db, after the tables)."""
    for sql in INVOICE_TRIGGERS:
        db.execute_sql(sql)


ACCOUNTS = ("prepaid", "postpaid")
MATCH_KINDS = ("extension", "account")
MODELS_CUSTOMERS = (Customer, CustomerMatch, CustomerTopUp, Invoice, InvoiceLine, InvoiceMail, InvoiceRun)
