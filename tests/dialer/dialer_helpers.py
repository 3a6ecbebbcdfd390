"""Shared by the dialer's tests: a numbering plan, a campaign from CSV text, a Dialer whose originate is scripted."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from appliance.dialer import campaigns, engine, sources
from appliance.rating import numbering

PLAN = numbering.plan_from_options({"country": "TR", "area_codes": "212"})
TZ = ZoneInfo("Europe/Istanbul")
# Monday 7 December 2026, 10:00 in Istanbul: inside mon-fri 09:00-18:00
MONDAY_10 = int(datetime(2026, 12, 7, 10, 0, tzinfo=TZ).timestamp())
SETTINGS = campaigns.Settings(results=("Sale", "Not interested", "Do not call"), ring_timeout_s=30, tick_s=0.05)
CSV = ("number,name,company\n"
       "0532 123 45 67,Ayşe Demir,Acme\n"
       "0212 555 12 34,Kemal Öztürk,Beta\n"
       "0533 765 43 21,Ольга,Gamma\n")


def make_campaign(code="spring", mode="preview", text=CSV, **kw):
    return campaigns.create(code, code.title(), sources.read_csv(text.encode(), f"{code}.csv"), PLAN, mode=mode,
                            timezone="Europe/Istanbul", windows=kw.pop("windows", "mon-fri 09:00-18:00"),
                            now=MONDAY_10, **kw)


class Clock:
    def __init__(self, t=MONDAY_10):
        self.t = t

    def __call__(self):
        return self.t


def scripted_dialer(outcomes: dict[str, tuple[str, str]], clock=None, busy=lambda e: False):
    """A Dialer whose originate answers from `outcomes` (dialled number -> (Response, Reason)), run inline."""
    sent = []

    def originate(fields, timeout):
        sent.append(fields)
        number = fields["Channel"].split("/")[1].split("@")[0]
        response, reason = outcomes.get(number, ("Failure", "0"))
        return response, reason, "1700000300.50"
    d = engine.Dialer(SETTINGS, PLAN, originate, agent_busy=busy, clock=clock or Clock(), spawn=lambda fn: fn())
    return d, sent
