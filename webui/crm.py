"""CRM and HRM links on the pages ([crm], appliance/crm): the call page, the operator panel's caller, the person
page. The templates ask `call_link`, `number_link`, `person_link`; None = no link. `crm_name` is the CRM's name for a
number ([crm] lookup_url, appliance/crm/lookup.py), never waited for."""
from __future__ import annotations

import logging

import bottle
from bottle import request

from appliance import config, crm
from appliance.crm import lookup

log = logging.getLogger(__name__)
CONFIG_KEY = "callbox.crm"
LOOKUP_KEY = "callbox.crm_lookup"


def install(app: bottle.Bottle, cfg: config.Config) -> None:
    try:
        links = crm.read_settings(cfg)
    except config.ConfigError as e:      # the web must come up: no links, and why
        log.error("%s: no CRM links", e)
        links = crm.Links()
    app.config[CONFIG_KEY] = links
    try:
        found = lookup.read_settings(cfg)
    except config.ConfigError as e:      # the panel says it: no lookups
        log.error("%s: no CRM lookups", e)
        found = None
    app.config[LOOKUP_KEY] = lookup.Lookup(found)


def crm_name(number: str) -> lookup.Answer:
    """The CRM's name for a caller, at once: found, none, pending (asked now: the panel's next refresh shows it),
    failed (why) or off (no [crm] lookup_url)."""
    found = request.app.config.get(LOOKUP_KEY)
    return found.name(number) if found is not None else lookup.Answer("off")


def _links() -> crm.Links:
    return request.app.config.get(CONFIG_KEY) or crm.Links()


def call_link(path) -> str | None:
    c, att = path.call, path.attribution
    return crm.fill(_links().call_url, number=c.party, extension=c.extension, account_code=c.account_code,
                    person=getattr(att, "external_id", "") if att else "")


def number_link(number: str, extension: str = "", person: str = "") -> str | None:
    return crm.fill(_links().call_url, number=number, extension=extension, person=person)


def person_link(person: str, extension: str = "") -> str | None:
    return crm.fill(_links().person_url, person=person, extension=extension)
