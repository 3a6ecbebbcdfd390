"""Call-centre tables: queue calls (journeys) derived from the queue events, kept current by the worker.

A queue call is one ENTERQUEUE (the caller's uniqueid + the queue): appliance/callcentre/journeys.py builds it from
every queue_event row of that uniqueid, and the worker rebuilds a uniqueid's queue calls in the transaction that
stores a new event of it (appliance/ingest/parse.py). The rows are derived: `callbox db rebuild` and a re-processing
rebuild them from the queue events; KPIs (appliance/callcentre/kpis.py) read only this table, by its indexes.
"""
from __future__ import annotations

from peewee import AutoField, CompositeKey, IntegerField, TextField

from appliance.store.base import Base

# outcome of a queue call: answered (it has a CONNECT), else the exit event's; "" = neither (unterminated)
OUTCOMES = ("answered", "abandoned", "timeout", "exit_empty", "exit_key", "")


class QueueCall(Base):
    """One queue call (ENTERQUEUE = uniqueid + queue) as journeyed through the queue."""
    id = IntegerField(primary_key=True)   # = the id of its ENTERQUEUE event (its first event when that was never seen)
    driver = TextField()
    call_key = TextField()                # the caller channel's uniqueid: the CDR's uniqueid/linkedid
    queue = TextField()
    entered_utc = IntegerField()          # ENTERQUEUE time (first event's when never seen), seconds since the epoch
    seen_enter = IntegerField()           # 1: its ENTERQUEUE is stored; 0: not a queue call for the KPIs (quality)
    caller = TextField(default="")        # ENTERQUEUE callerid
    url = TextField(default="")           # ENTERQUEUE url (a CRM link where the dialplan gives one)
    did = TextField(default="")           # the DID FreePBX logs before ENTERQUEUE, where logged
    position = IntegerField(null=True)    # position on entering (newer Asterisk only)
    outcome = TextField(default="")       # OUTCOMES
    wait_s = IntegerField(null=True)      # CONNECT holdtime, or the exit event's waittime; NULL: unterminated
    agent = TextField(default="")         # the member that answered (CONNECT's agent field)
    ring_s = IntegerField(null=True)      # CONNECT ringtime: how long the answering member rang; NULL on old Asterisk
    bridged = TextField(default="")       # CONNECT bridged channel uniqueid (the agent's leg)
    end_event = TextField(default="")     # COMPLETECALLER, COMPLETEAGENT, TRANSFER, BLINDTRANSFER, ATTENDEDTRANSFER
    talk_s = IntegerField(null=True)      # the end event's calltime; NULL: answered, no end event (yet)
    transfer_to = TextField(default="")   # TRANSFER/BLINDTRANSFER extension@context, ATTENDEDTRANSFER method:data
    exit_key = TextField(default="")      # EXITWITHKEY: the key pressed
    exit_position = IntegerField(null=True)   # ABANDON/EXIT*: the position the caller left from
    end_utc = IntegerField(null=True)     # time of the end or exit event
    rings = TextField(default="[]")       # JSON [[agent, "RINGNOANSWER"|"RINGCANCELED", ms|null, at_utc], ...]
    rna = IntegerField(default=0)         # RINGNOANSWER count
    problems = TextField(default="")      # data-quality flags, comma-separated (callcentre/journeys.py PROBLEMS)
    # entered while its queue was: 0 open, 1 closed (outside its opening hours), 2 on a closed day; NULL: not yet
    # classified (counted as open), callcentre/opening.py classify() sets it, the worker when idle
    closed = IntegerField(null=True)

    class Meta:
        table_name = "queue_call"
        indexes = ((("queue", "entered_utc"), False), (("entered_utc",), False), (("driver", "call_key"), False),
                   (("agent", "entered_utc"), False))


class QueueState(Base):
    """Key/value facts about the queue calls (built = "1" once every stored queue event has been journeyed)."""
    key = TextField(primary_key=True)
    value = TextField()

    class Meta:
        table_name = "queue_state"


class QueueHour(Base):
    """The queue calls that entered in one UTC hour, summed per queue (appliance/callcentre/hours.py): what the KPIs
    of long ranges read instead of every queue call. The threshold counts are those of the rules named by the
    queue_state row "hours_rules"."""
    queue = TextField()
    hour = IntegerField()                 # entered_utc // 3600
    offered = IntegerField()
    answered = IntegerField()
    abandoned = IntegerField()
    timeout = IntegerField()
    exit_empty = IntegerField()
    exit_key = IntegerField()
    short_abandoned = IntegerField()
    unterminated = IntegerField()
    hold_s = IntegerField()               # sum of the answered calls' CONNECT holdtime
    within_sl = IntegerField()
    talk_s = IntegerField()
    ended = IntegerField()                # answered calls with an end event
    over = IntegerField()
    max_wait_s = IntegerField(null=True)
    outside = IntegerField(default=0)     # calls entered while the queue was closed: in no other column

    class Meta:
        table_name = "queue_hour"
        primary_key = CompositeKey("queue", "hour")
        indexes = ((("hour",), False),)


class QueueHourDirty(Base):
    """Hours whose queue calls changed since their QueueHour rows were summed: read from queue_call until then."""
    hour = IntegerField(primary_key=True)

    class Meta:
        table_name = "queue_hour_dirty"


class CallEvaluation(Base):
    """A supervisor's scores of one queue call on the evaluation form ([callcentre] evaluation_form; CC-5). Written
    by the web (webui.db.write_access); the queue call's facts are copied, so a rebuilt queue call keeps its scores."""
    id = AutoField()
    queue_call_id = IntegerField(index=True)   # queue_call.id: its ENTERQUEUE event's id, stable across rebuilds
    queue = TextField()
    agent = TextField()
    entered_utc = IntegerField(index=True)
    evaluator = TextField()                    # the user who scored it
    at_utc = IntegerField()
    scores = TextField()                       # JSON {criterion: points} as the form was then
    points = IntegerField()
    max_points = IntegerField()
    note = TextField(default="")

    class Meta:
        table_name = "call_evaluation"


MODELS_EVALUATION = (CallEvaluation,)
MODELS_CALLCENTRE = (QueueCall, QueueState, QueueHour, QueueHourDirty, CallEvaluation)
QUEUE_CALL_COLUMNS = tuple(f.column_name for f in QueueCall._meta.sorted_fields)
