"""The words of the e-mails the box writes to people (scheduled reports, cost and talk-time limit notices) in
each language of the web UI.

A recipient who has a web account gets the language they chose there (appliance.users.Account.language); anyone
else gets [mail] language. Names, numbers and dates are filled in as they are. English is the key set: a
language that lacks a text falls back to English for that text.
"""
from __future__ import annotations

LANGS = ("en", "tr")
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "schedule_body": "{report}\nPeriod: {period}\nData: {scope}\n\nSent by the Callbox schedule \"{schedule}\" "
                         "({rule}). The attached report holds only the calls you may see.\n",
        "scope_own": "your own calls", "scope_department": "your department's calls",
        "scope_branch": "your branch's calls", "scope_tenant": "your company's calls",
        "scope_all": "every call on this box", "as_of": "as of {time}",
        "limit_subject_cost": "Call cost limit exceeded for {label}: {value} (limit {limit})",
        "limit_subject_duration": "Call talk time limit exceeded for {label}: {value} (limit {limit})",
        "limit_body": "Hello {name},\n\nthe {what} of your outgoing calls {span} ({label}) is over the limit set for "
                      "you.\n\n  {what}: {value}\n  limit: {limit}\n  calls: {calls}\n  period: {since} to {until}\n\n"
                      "You get this message once for this period.\n-- Callbox\n",
        "what_cost": "cost", "what_duration": "talk time", "what_of_cost": "cost", "what_of_duration": "talk time",
        "span_day": "today", "span_month": "this month",
    },
    "tr": {
        "schedule_body": "{report}\nDönem: {period}\nVeri: {scope}\n\nBu ileti Callbox zamanlaması \"{schedule}\" "
                         "({rule}) ile gönderildi. Ekteki rapor yalnızca görebildiğiniz çağrıları içerir.\n",
        "scope_own": "kendi çağrılarınız", "scope_department": "bölümünüzün çağrıları",
        "scope_branch": "şubenizin çağrıları", "scope_tenant": "şirketinizin çağrıları",
        "scope_all": "bu kutudaki bütün çağrılar", "as_of": "{time} itibarıyla",
        "limit_subject_cost": "Çağrı ücreti sınırı aşıldı, {label}: {value} (sınır {limit})",
        "limit_subject_duration": "Konuşma süresi sınırı aşıldı, {label}: {value} (sınır {limit})",
        "limit_body": "Merhaba {name},\n\n{span} ({label}) dış aramalarınızın {what_of} sizin için belirlenen sınırı "
                      "aştı.\n\n  {what}: {value}\n  sınır: {limit}\n  çağrı sayısı: {calls}\n  dönem: {since} – "
                      "{until}\n\nBu iletiyi bu dönem için bir kez alırsınız.\n-- Callbox\n",
        "what_cost": "ücret", "what_duration": "konuşma süresi", "what_of_cost": "ücreti",
        "what_of_duration": "konuşma süresi",
        "span_day": "bugünkü", "span_month": "bu ayki",
    },
}


def language(preferred: str, default: str) -> str:
    """The language to write in: the recipient's own if the box has it, else `default` ([mail] language)."""
    if preferred in LANGS:
        return preferred
    return default if default in LANGS else "en"


def text(lang: str, key: str, **fields: object) -> str:
    """The text `key` in `lang` (English where the language lacks it), with `fields` filled in."""
    return TEXT.get(lang, {}).get(key, TEXT["en"][key]).format(**fields)
