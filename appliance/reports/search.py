"""Call search by any combination of criteria, a call's full path (every leg), and month totals (REP-12).

Every query goes through appliance.scope.visible: a user finds only the calls they may see. Criteria are
parsed from text (a web form, a query string) by `criteria_from`, which raises SearchError naming the field.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, fields
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Callable, Mapping

from peewee import SQL, ColumnBase, fn

from appliance import localtime, store
from appliance.access import scope
from appliance.access.users import Account
from appliance.directory import organisation as directory
from appliance.records import DIRECTIONS
from appliance.reports import transfer_costs
from appliance.reports.dims import DIRECTION_SQL
from appliance.store import Call
from appliance.store import directory as sd
from appliance.store.messages import CallNote
from appliance.store import versioned

log = logging.getLogger(__name__)
PER_PAGE = 50
MAX_PER_PAGE = 500


PROBLEMS = {"seconds": "is not a whole number of seconds", "amount": "is not an amount",
            "date": "is not a date (YYYY-MM-DD, optionally THH:MM)", "direction": "is not in, out, internal or system",
            "number_match": "is not prefix or contains", "answered": "is not yes or no",
            "order": "is not after the start"}


class SearchError(ValueError):
    """A criterion that cannot be understood: `field`, the `value` given and the `problem` (a PROBLEMS key)."""

    def __init__(self, field_name: str, value: str, problem: str):
        super().__init__(f"{field_name}: {value!r} {PROBLEMS[problem]}")
        self.field, self.value, self.problem = field_name, value, problem


@dataclass(frozen=True)
class Criteria:
    """What to look for; every field is optional and they combine with AND. Bounds are [since, until)."""
    since: int | None = None             # call start, epoch seconds
    until: int | None = None
    extension: str = ""
    person: str = ""                     # person's id, or part of their name (case ignored, any script)
    number: str = ""                     # the number dialled / calling (party, or the E.164 number)
    number_match: str = "prefix"         # prefix or contains
    direction: str = ""                  # in, out, internal, system
    answered: bool | None = None
    min_talk_s: int | None = None
    max_talk_s: int | None = None
    min_cost: Decimal | None = None
    max_cost: Decimal | None = None
    trunk: str = ""
    account_code: str = ""
    note: str = ""                       # words of a note written on the call (appliance.messages.notes)


@dataclass
class Page:
    """One page of results, newest first: the rows with their attribution (person etc. as of the call)."""
    calls: list[Call]
    attributions: list
    total: int                 # at most COUNT_CAP (capped: there are more)
    page: int
    per_page: int
    capped: bool = False
    pages: int = field(init=False)

    def __post_init__(self):
        self.pages = max(1, -(-self.total // self.per_page))


MAX_SECONDS = 10 ** 9     # ~31 years of talk: a bound SQLite's 64-bit integers hold (a longer one used to give 500)


def _int(name: str, text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_SECONDS:    # isdigit alone takes "²"
        raise SearchError(name, text, "seconds")
    return int(text)


def _money(name: str, text: str) -> Decimal | None:
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise SearchError(name, text, "amount") from None
    if not value.is_finite() or value < 0:
        raise SearchError(name, text, "amount")
    return value


def _moment(name: str, text: str, tz: tzinfo, end: bool) -> int | None:
    """A date (whole day; `end` = up to its end) or date and time, PBX local time unless it has an offset."""
    text = text.strip()
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise SearchError(name, text, "date") from None
    whole_day = len(text) == 10
    if dt.tzinfo is not None:
        epoch = int(dt.timestamp())
    else:
        epoch = localtime.to_utc(dt.replace(microsecond=0), tz)[0]
    if end and whole_day:        # "until 2024-03-31" includes that day: up to the next local midnight
        nxt = datetime.fromordinal(dt.date().toordinal() + 1)
        epoch = int(nxt.replace(tzinfo=dt.tzinfo).timestamp()) if dt.tzinfo else localtime.to_utc(nxt, tz)[0]
    return epoch


def criteria_from(form: Mapping[str, str], tz: tzinfo) -> Criteria:
    """Criteria from form fields of the same names (since/until as dates or date-times; answered yes/no;
    min_cost/max_cost decimal; number_match prefix/contains). SearchError names a bad field."""
    get = lambda k: (form.get(k) or "").strip()   # noqa: E731
    direction, match, answered = get("direction"), get("number_match") or "prefix", get("answered")
    if direction and direction not in DIRECTIONS:
        raise SearchError("direction", direction, "direction")
    if match not in ("prefix", "contains"):
        raise SearchError("number_match", match, "number_match")
    if answered not in ("", "yes", "no"):
        raise SearchError("answered", answered, "answered")
    c = Criteria(since=_moment("since", get("since"), tz, False), until=_moment("until", get("until"), tz, True),
                 extension=get("extension"), person=get("person"), number=get("number"), number_match=match,
                 direction=direction, answered=None if not answered else answered == "yes",
                 min_talk_s=_int("min_talk_s", get("min_talk_s")), max_talk_s=_int("max_talk_s", get("max_talk_s")),
                 min_cost=_money("min_cost", get("min_cost")), max_cost=_money("max_cost", get("max_cost")),
                 trunk=get("trunk"), account_code=get("account_code"), note=get("note"))
    if c.since is not None and c.until is not None and c.until <= c.since:
        raise SearchError("until", get("until"), "order")
    return c


def is_empty(c: Criteria) -> bool:
    return all(getattr(c, f.name) == f.default for f in fields(c))


def _people(text: str) -> dict[int, list[int]]:
    """{tenant id: person ids} of the people whose id is `text` or whose name contains it (casefolded, so
    İ, Ё, Ł... match in any case)."""
    needle = directory.casefold(text)
    out: dict[int, list[int]] = {}
    P = sd.Person
    for p in P.select(P.id, P.tenant_id, P.external_id, P.first_name, P.last_name):
        name = directory.casefold(f"{p.first_name} {p.last_name}")
        if needle in name or needle == directory.casefold(p.external_id):
            out.setdefault(p.tenant_id, []).append(p.id)
    return out


def _by_person(text: str, pbx_tenant: str) -> ColumnBase:
    """Calls of a matching person's tenant whose extension was, at the call's start, that person's."""
    codes = {t.id: t.code for t in sd.Tenant.select(sd.Tenant.id, sd.Tenant.code)}
    ea = sd.ExtensionAssignment.alias("search_ea")
    cond: ColumnBase = scope.NOTHING
    for tid, people in _people(text).items():
        code = codes.get(tid, "")
        of_tenant = scope.call_tenant_is(code, pbx_tenant)
        owner = ea.select(SQL("1")).where(
            ea.tenant_id == tid, ea.person_id.in_(people), ea.extension == fn.TRIM(Call.extension),
            ea.valid_from.is_null() | (ea.valid_from <= Call.start_utc),
            ea.valid_to.is_null() | (Call.start_utc < ea.valid_to))
        cond = cond | (of_tenant & fn.EXISTS(owner))
    return cond


def _cost_bounds(c: Criteria) -> list[ColumnBase]:
    # cost is exact decimal text; SQLite compares it as a number (both sides converted alike, so a bound equal
    # to a stored amount matches it). A cost range excludes calls without a price.
    out: list[ColumnBase] = []
    number = Call.cost.cast("NUMERIC")
    if c.min_cost is not None:
        out.append(Call.cost.is_null(False) & (number >= SQL("CAST(? AS NUMERIC)", [str(c.min_cost)])))
    if c.max_cost is not None:
        out.append(Call.cost.is_null(False) & (number <= SQL("CAST(? AS NUMERIC)", [str(c.max_cost)])))
    return out


def conditions(c: Criteria, pbx_tenant: str) -> list[ColumnBase]:
    """The peewee conditions for the criteria (without the user's scope; "" tenant calls are pbx_tenant's)."""
    out: list[ColumnBase] = []
    if c.since is not None:
        out.append(Call.start_utc >= c.since)
    if c.until is not None:
        out.append(Call.start_utc < c.until)
    if c.extension:
        out.append(fn.TRIM(Call.extension) == c.extension)
    if c.person:
        out.append(_by_person(c.person, pbx_tenant))
    if c.number:
        num = c.number.replace(" ", "")
        test = (lambda col: col.startswith(num)) if c.number_match == "prefix" else (lambda col: col.contains(num))
        out.append(test(Call.party) | test(Call.number))
    if c.direction:
        out.append(Call.direction == c.direction)
    if c.answered is not None:
        out.append(Call.answered == c.answered)
    if c.min_talk_s is not None:
        out.append(Call.talk_s >= c.min_talk_s)
    if c.max_talk_s is not None:
        out.append(Call.talk_s <= c.max_talk_s)
    out += _cost_bounds(c)
    if c.trunk:
        out.append(Call.trunk == c.trunk)
    if c.account_code:
        out.append(Call.account_code == c.account_code)
    if c.note.strip():
        noted = CallNote.select(CallNote.call_id).where(CallNote.call_id.is_null(False))
        for word in c.note.split():
            noted = noted.where(CallNote.text.contains(word))
        out.append(Call.id.in_(noted))
    return out


# what a search can be sorted by (a column of the call row; the person is attributed after the page is read, so no)
SORTS: dict[str, ColumnBase] = {"start": Call.start_utc, "direction": Call.direction, "extension": Call.extension,
                                "party": Call.party, "trunk": Call.trunk, "ring": Call.ring_s, "talk": Call.talk_s,
                                "cost": Call.cost.cast("REAL"), "legs": Call.legs}


def query(user: Account, pbx_tenant: str, c: Criteria, sort: str = "start", desc: bool = True,
          by_start: bool = False):
    """The calls matching `c` that `user` may see, sorted by `sort` (SORTS; unknown: the start), then newest first;
    calls without a price come last by cost either way. `by_start`: see scope.visible."""
    q = Call.select().where(scope.visible(user, pbx_tenant, by_start), *conditions(c, pbx_tenant))
    key = SORTS.get(sort, Call.start_utc)
    order: list = [key.desc() if desc else key.asc()]
    if sort == "cost":
        order.insert(0, SQL("(cost IS NULL OR cost = '')"))
    if key is not Call.start_utc:
        order.append(Call.start_utc.desc())
    return q.order_by(*order, Call.id.desc())


COUNT_CAP = 10_000   # a search counts its matches up to this ("more than 10,000"): pages beyond it are not offered
BY_START_ROWS = 1_000   # a capped search's pages up to this many rows are read along the start index


def search(user: Account, pbx_tenant: str, c: Criteria, page: int = 1, per_page: int = PER_PAGE,
           sort: str = "start", desc: bool = True) -> Page:
    """One page (1-based) of the matching calls the user may see, in `query`'s order, with the total count."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    # the page and the count are kept until the database changes (appliance/store/versioned.py): the same search
    # asked again, or paged through (the count), is not queried again; callers get their own lists. The order is
    # part of the page's key, not of the count's.
    kept = versioned.cached("search.page", (scope.kept_key(user), pbx_tenant, c, page, per_page, sort, desc),
                            lambda: _search(user, pbx_tenant, c, page, per_page, sort, desc))
    return Page(list(kept.calls), list(kept.attributions), kept.total, kept.page, kept.per_page, kept.capped)


def _search(user: Account, pbx_tenant: str, c: Criteria, page: int, per_page: int, sort: str, desc: bool) -> Page:
    q = query(user, pbx_tenant, c, sort, desc)
    # counting every match of a broad search costs more than its page
    total = versioned.cached("search.count", (scope.kept_key(user), pbx_tenant, c),
                             lambda: q.limit(COUNT_CAP + 1).count())
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    page = max(1, min(page, max(1, -(-total // per_page))))
    if capped and sort == "start" and page * per_page <= BY_START_ROWS:
        # matches are many: the first pages come sooner walking the start index than sorting every match of a
        # department's or branch's extensions (200,000 calls: 45-55 ms -> 3-5 ms a page; issue 14)
        q = query(user, pbx_tenant, c, sort, desc, by_start=True)
    rows = list(q.paginate(page, per_page))
    return Page(rows, scope.attributions(rows, pbx_tenant), total, page, per_page, capped)


@dataclass
class CallPath:
    """A call and every leg of it, in PBX order, each with its owner then and its driver-specific fields."""
    call: Call
    attribution: object
    legs: list[dict]


def call_path(user: Account, pbx_tenant: str, call_id: int,
              extra: Callable[[store.Leg], dict] | None = None) -> CallPath | None:
    """The call if the user may see it (else None, as for a call that does not exist), with its legs: who
    each leg rang (extension, its person then), ring and talk time, offset from the call's start, transfer
    flag and the driver's extra fields (re-read from the journal by `extra`, e.g. output.extra_reader)."""
    call = Call.select().where(Call.id == call_id, scope.visible(user, pbx_tenant)).first()
    if call is None:
        return None
    legs = store.legs_of([call.id]).get(call.id, [])
    code = call.tenant or pbx_tenant
    tid = sd.tenant_id(code)
    index = directory.Index(tid, {leg.extension for leg in legs}) if tid is not None else None
    rows = []
    for leg in legs:
        att = index.attribute(leg.extension, leg.start_utc) if index is not None else None
        rows.append({"leg": leg, "offset_s": leg.start_utc - call.start_utc, "attribution": att,
                     "ref": f"{leg.jseg}:{leg.joff}", "extra": extra(leg) if extra else {}})
    return CallPath(call, scope.attributions([call], pbx_tenant)[0], rows)


@dataclass
class Totals:
    """Counts, durations and exact costs (per currency) of a set of calls."""
    calls: int = 0
    answered: int = 0
    talk_s: int = 0
    by_direction: dict[str, int] = field(default_factory=dict)
    cost: dict[str, Decimal] = field(default_factory=dict)

    @property
    def missed(self) -> int:
        return self.calls - self.answered


def totals(user: Account, pbx_tenant: str, c: Criteria, transfer_charge: str = "first") -> Totals:
    """Totals of the calls matching `c` that the user may see; costs summed exactly in Decimal. With
    `transfer_charge` = target and criteria of a time range only (the home page's month), a transferred call's
    cost counts for whoever sees its target rather than its first extension (RAT-4, as bills and reports)."""
    where = [scope.visible(user, pbx_tenant), *conditions(c, pbx_tenant)]
    out = Totals()
    direction = SQL(DIRECTION_SQL)   # as the reports count it: a call to voicemail by name is not outgoing
    rows: list[tuple] = list(Call.select(direction, fn.COUNT(Call.id), fn.SUM(Call.answered),  # type: ignore
                                         fn.SUM(Call.talk_s)).where(*where).group_by(direction).tuples())
    for direction, count, answered, talk in rows:
        out.by_direction[direction] = count
        if direction == "system" and c.direction != "system":   # IVR, voicemail, feature codes: no calls to people
            continue
        out.calls += count
        out.answered += int(answered or 0)
        out.talk_s += int(talk or 0)
    priced = Call.select(Call.cost, Call.currency).where(*where, Call.cost.is_null(False), Call.cost != "")
    cost: str
    currency: str
    for cost, currency in priced.tuples().iterator():  # type: ignore[misc]
        try:
            out.cost[currency] = out.cost.get(currency, Decimal(0)) + Decimal(cost)
        except InvalidOperation:
            log.warning("call cost %r is not a decimal: left out of the totals", cost)
    if transfer_charge != "first" and c == Criteria(since=c.since, until=c.until):
        for currency, amount in transfer_costs.shift_totals(user, pbx_tenant, c.since, c.until,
                                                            transfer_charge).items():
            out.cost[currency] = out.cost.get(currency, Decimal(0)) + amount
    return out


def month_bounds(now: float, tz: tzinfo) -> tuple[int, int, int, int]:
    """(since, until, year, month) of the PBX-local calendar month containing `now`."""
    local = datetime.fromtimestamp(now, tz)
    start = datetime(local.year, local.month, 1)
    nxt = datetime(local.year + local.month // 12, local.month % 12 + 1, 1)
    return localtime.to_utc(start, tz)[0], localtime.to_utc(nxt, tz)[0], local.year, local.month
