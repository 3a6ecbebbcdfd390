"""CRM and HRM links on the pages ([crm], appliance/crm): the call page, the operator panel's caller, the person
page. The templates ask `call_link`, `number_link`, `person_link`; None = no link."""
from __future__ import annotations

import logging

import bottle
from bottle import request

from appliance import config, crm

log = logging.getLogger(__name__)
CONFIG_KEY = "callbox.crm"


def install(app: bottle.Bottle, cfg: config.Config) -> None:
    try:
        links = crm.read_settings(cfg)
    except config.ConfigError as e:      # the web must come up: no links, and why
        log.error("%s: no CRM links", e)
        links = crm.Links()
    app.config[CONFIG_KEY] = links


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
