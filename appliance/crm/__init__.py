"""Links to the company's CRM or HRM (APP-5, CC-4): URL templates filled with a call's number, extension, person or
account code, shown on the call page, the operator panel (the caller now) and the person page. A link only: the box
sends nothing to the CRM."""
from __future__ import annotations

import string
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from appliance import config

FIELDS = ("number", "extension", "person", "account_code")


@dataclass(frozen=True)
class Links:
    call_url: str = ""          # a call or a caller: {number} {extension} {person} {account_code}
    person_url: str = ""        # a directory person: {person} {extension}


def _check(cfg: config.Config, key: str, template: str) -> str:
    template = template.strip()
    if not template:
        return ""
    where = f"{cfg.name}: [crm] {key}"
    if urlsplit(template).scheme not in ("http", "https"):
        raise config.ConfigError(f"{where}: {template!r} is not an http:// or https:// URL")
    try:
        names = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as e:
        raise config.ConfigError(f"{where}: {e}") from None
    unknown = names - set(FIELDS)
    if unknown:
        raise config.ConfigError(f"{where}: unknown field {{{sorted(unknown)[0]}}} (known: {', '.join(FIELDS)})")
    return template


def read_settings(cfg: config.Config) -> Links:
    """[crm]; ConfigError naming the option for a URL that is not http(s) or has an unknown field."""
    sec = cfg.section("crm")
    return Links(_check(cfg, "call_url", sec.call_url), _check(cfg, "person_url", sec.person_url))


def fill(template: str, **values: str) -> str | None:
    """The URL, every value percent-encoded (a number's + and a name's spaces cannot change the URL's shape); None
    when the template is empty or uses a field this call or person does not have."""
    if not template:
        return None
    used = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    if any(not values.get(f) for f in used):
        return None
    return template.format(**{f: quote(str(values.get(f) or ""), safe="") for f in FIELDS})
