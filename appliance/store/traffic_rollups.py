"""Roll-ups of the missed-calls and concurrency reports (issue 14): what each incoming call meant for each
extension it rang, and the lines occupied per minute. Built and read by appliance/reports/offers.py and
appliance/reports/occupancy.py; rebuilt per dirty local day with the cubes (appliance/reports/rollup.py)."""
from __future__ import annotations

from peewee import IntegerField, TextField

from appliance.store.base import Base


class Offer(Base):
    """One incoming call × one extension it rang (a person's phone, not voicemail), with the missed-calls
    report's outcome there (appliance/reports/missed.py) and, on each row, the call's own outcome."""
    day = IntegerField(index=True)        # the call's local day (days since 1970-01-01)
    call_id = IntegerField(index=True)
    start_utc = IntegerField()
    tenant = TextField()
    extension = TextField()
    state = TextField()                   # answered / missed_direct / missed_transferred / answered_elsewhere
    ring_s = IntegerField()               # ring seconds before the loss (missed states), else 0
    missed = TextField()                  # the call: "" / direct / transferred
    wait_s = IntegerField()               # the call: how long the lost caller waited
    exts = IntegerField()                 # how many extensions the call rang
    first = IntegerField()                # 1 on one row of each call (the totals count calls)
    call_ext = TextField(default="")      # the call's own extension, TRIM(call.extension): whose scope sees the call

    class Meta:
        table_name = "rollup_offer"


# The offers of the calls an own / department / branch scope sees (their extension ranges on call_ext and start_utc),
# found and read from this index alone (appliance/reports/offers.py). Not in Offer's Meta: peewee would create it
# before an older database's table has the column; open_db makes it after the columns are added.
# The sums of one extension over a month's days or a year's months (a report by person reads an extension that changed
# hands in the range by month, then by day): led by the extension, so that a condition on the tenant alone (a tenant's
# report) still reads its days or months by the day and month indexes (issue 14).
OFFER_DDL = ("CREATE INDEX IF NOT EXISTS rollup_offer_scope ON rollup_offer (call_ext, start_utc, extension, tenant, "
             "state, ring_s, call_id, missed, wait_s, day)",
             "CREATE INDEX IF NOT EXISTS rollup_offer_ext_extension ON rollup_offer_ext (extension, tenant, day)",
             "CREATE INDEX IF NOT EXISTS rollup_offer_month_extension ON rollup_offer_month (extension, tenant, ym)")


def _offer_sums() -> tuple[TextField, TextField, TextField, IntegerField, IntegerField, IntegerField, IntegerField,
                           IntegerField]:
    """The columns of OfferDay and OfferMonth after their day or month: tenant, extension, state, multi, calls,
    ring_s, min_start, max_start (new fields in their column order: the field order is the schema's, so both
    tables keep their columns and the schema stamp)."""
    return TextField(), TextField(), TextField(), IntegerField(), IntegerField(), IntegerField(), IntegerField(), \
        IntegerField()


class OfferDay(Base):
    """Offers summed per local day, tenant, extension and outcome; `multi`: calls that rang several extensions
    (a person owning two of them counts such a call once: those are read call by call)."""
    day = IntegerField(index=True)
    tenant, extension, state, multi, calls, ring_s, min_start, max_start = _offer_sums()

    class Meta:
        table_name = "rollup_offer_ext"


class OfferMonth(Base):
    """rollup_offer_ext summed per local month (YYYYMM), kept equal to the sum of its days' rows: a year's report
    by extension reads a dozen rows an extension instead of one a day."""
    ym = IntegerField(index=True)
    tenant, extension, state, multi, calls, ring_s, min_start, max_start = _offer_sums()

    class Meta:
        table_name = "rollup_offer_month"


class OfferTotal(Base):
    """Calls with an offer per local day, tenant and the call's outcome ("" / direct / transferred)."""
    day = IntegerField(index=True)
    tenant = TextField()
    missed = TextField()
    calls = IntegerField()
    wait_s = IntegerField()
    min_start = IntegerField()
    max_start = IntegerField()

    class Meta:
        table_name = "rollup_offer_total"


# a direction -> its columns' suffix ("" = every direction but system)
DIRECTION_COLUMNS = {"": "any", "in": "in", "out": "out", "internal": "internal", "system": "system"}


def _occupancy(name: str, doc: str):
    fields: dict = {"start": IntegerField(primary_key=True)}
    for col in DIRECTION_COLUMNS.values():
        fields[f"peak_{col}"] = IntegerField(default=0)
        fields[f"busy_{col}"] = IntegerField(default=0)
    meta = type("Meta", (), {"table_name": f"rollup_{name}"})
    return type("".join(w.title() for w in name.split("_")), (Base,),
                {**fields, "Meta": meta, "__module__": __name__, "__doc__": doc})


Occupancy = _occupancy("occupancy", "Per UTC minute (start, epoch s): most calls up at once and line-seconds, per "
                                    "direction, over every tenant's calls (no row: no call up)")
OccupancyQuarter = _occupancy("occupancy_quarter", "The same per quarter hour (most of the minutes, their sum)")


class LongCall(Base):
    """Calls longer than the concurrency report's look-back (a day): left out of the occupancy rows (the report
    reads the calls when one of them is near its range)."""
    day = IntegerField(index=True)
    start_utc = IntegerField(index=True)
    end_utc = IntegerField()

    class Meta:
        table_name = "rollup_long_call"


MODELS_TRAFFIC_ROLLUP = (Offer, OfferDay, OfferMonth, OfferTotal, Occupancy, OccupancyQuarter, LongCall)
TABLES = tuple(m._meta.table_name for m in MODELS_TRAFFIC_ROLLUP)
