"""The words of the e-mails the box writes to people (scheduled reports, cost and talk-time limit notices) in
each language of the web UI.

A recipient who has a web account gets the language they chose there (appliance.users.Account.language); anyone
else gets [mail] language. Names, numbers and dates are filled in as they are. English is the key set: a
language that lacks a text falls back to English for that text.
"""
from __future__ import annotations

LANGS = ("en", "tr", "bg", "az", "cs", "nb")     # those of the web UI (webui.i18n.LANGUAGES), a test checks
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
    "bg": {
        "schedule_body": "{report}\nПериод: {period}\nДанни: {scope}\n\nИзпратено от графика на Callbox \"{schedule}\" "
                         "({rule}). Приложеният отчет съдържа само разговорите, които имате право да виждате.\n",
        "scope_own": "вашите собствени разговори", "scope_department": "разговорите на вашия отдел",
        "scope_branch": "разговорите на вашия клон", "scope_tenant": "разговорите на вашата фирма",
        "scope_all": "всички разговори на това устройство", "as_of": "към {time}",
        "limit_subject_cost": "Превишен лимит за цена на разговорите, {label}: {value} (лимит {limit})",
        "limit_subject_duration": "Превишен лимит за време на разговор, {label}: {value} (лимит {limit})",
        "limit_body": "Здравейте, {name},\n\n{what_of} на изходящите ви разговори {span} ({label}) надхвърля лимита, "
                      "определен за вас.\n\n  {what}: {value}\n  лимит: {limit}\n  разговори: {calls}\n  период: "
                      "{since} – {until}\n\nПолучавате това съобщение веднъж за този период.\n-- Callbox\n",
        "what_cost": "цена", "what_duration": "време на разговор", "what_of_cost": "Цената",
        "what_of_duration": "Времето на разговор",
        "span_day": "днес", "span_month": "този месец",
    },
    "az": {
        "schedule_body": "{report}\nDövr: {period}\nMəlumat: {scope}\n\nCallbox-un \"{schedule}\" cədvəli ({rule}) "
                         "ilə göndərilib. Əlavə edilmiş hesabat yalnız görə bildiyiniz zəngləri ehtiva edir.\n",
        "scope_own": "öz zəngləriniz", "scope_department": "şöbənizin zəngləri",
        "scope_branch": "filialınızın zəngləri", "scope_tenant": "şirkətinizin zəngləri",
        "scope_all": "bu qurğunun bütün zəngləri", "as_of": "{time} vəziyyətinə",
        "limit_subject_cost": "Zəng dəyəri limiti keçildi, {label}: {value} (limit {limit})",
        "limit_subject_duration": "Danışıq müddəti limiti keçildi, {label}: {value} (limit {limit})",
        "limit_body": "Salam, {name},\n\n{span} ({label}) çıxan zənglərinizin {what_of} sizin üçün müəyyən edilmiş "
                      "limiti keçdi.\n\n  {what}: {value}\n  limit: {limit}\n  zəng sayı: {calls}\n  dövr: {since} – "
                      "{until}\n\nBu məktubu bu dövr üçün bir dəfə alırsınız.\n-- Callbox\n",
        "what_cost": "dəyər", "what_duration": "danışıq müddəti", "what_of_cost": "dəyəri",
        "what_of_duration": "danışıq müddəti",
        "span_day": "bu günkü", "span_month": "bu ayki",
    },
    "cs": {
        "schedule_body": "{report}\nObdobí: {period}\nData: {scope}\n\nOdesláno plánem Callbox \"{schedule}\" "
                         "({rule}). Přiložená sestava obsahuje jen hovory, které smíte vidět.\n",
        "scope_own": "vaše vlastní hovory", "scope_department": "hovory vašeho oddělení",
        "scope_branch": "hovory vaší pobočky", "scope_tenant": "hovory vaší firmy",
        "scope_all": "všechny hovory tohoto zařízení", "as_of": "ke stavu {time}",
        "limit_subject_cost": "Překročen limit ceny hovorů, {label}: {value} (limit {limit})",
        "limit_subject_duration": "Překročen limit doby hovorů, {label}: {value} (limit {limit})",
        "limit_body": "Dobrý den, {name},\n\n{what_of} vašich odchozích hovorů {span} ({label}) překročila limit, "
                      "který vám byl nastaven.\n\n  {what}: {value}\n  limit: {limit}\n  hovory: {calls}\n  období: "
                      "{since} – {until}\n\nTuto zprávu dostanete za toto období jen jednou.\n-- Callbox\n",
        "what_cost": "cena", "what_duration": "doba hovorů", "what_of_cost": "Cena",
        "what_of_duration": "Doba hovorů",
        "span_day": "dnes", "span_month": "tento měsíc",
    },
    "nb": {
        "schedule_body": "{report}\nPeriode: {period}\nData: {scope}\n\nSendt av Callbox-tidsplanen \"{schedule}\" "
                         "({rule}). Den vedlagte rapporten inneholder bare samtalene du har lov til å se.\n",
        "scope_own": "dine egne samtaler", "scope_department": "samtalene i avdelingen din",
        "scope_branch": "samtalene i filialen din", "scope_tenant": "samtalene i firmaet ditt",
        "scope_all": "alle samtaler på denne boksen", "as_of": "per {time}",
        "limit_subject_cost": "Kostnadsgrensen for samtaler er overskredet for {label}: {value} (grense {limit})",
        "limit_subject_duration": "Grensen for samtaletid er overskredet for {label}: {value} (grense {limit})",
        "limit_body": "Hei {name},\n\n{what_of} for de utgående samtalene dine {span} ({label}) er over grensen som er "
                      "satt for deg.\n\n  {what}: {value}\n  grense: {limit}\n  samtaler: {calls}\n  periode: {since} "
                      "til {until}\n\nDu får denne meldingen én gang for denne perioden.\n-- Callbox\n",
        "what_cost": "kostnad", "what_duration": "samtaletid", "what_of_cost": "Kostnaden",
        "what_of_duration": "Samtaletiden",
        "span_day": "i dag", "span_month": "denne måneden",
    },
}

# a customer's invoice (appliance/delivery/invoice_mail.py), in the customer's invoice language
INVOICE_TEXT = {
    "en": ("{kind} {number} of {company}: {total}",
           "Dear {customer},\n\nplease find attached our {kind_lower} {number} for {period}: {total}.\n\n"
           "-- {company}\n"),
    "tr": ("{company} {kind} {number}: {total}",
           "Sayın {customer},\n\n{period} dönemine ait {kind_lower} {number} ektedir: {total}.\n\n-- {company}\n"),
    "bg": ("{kind} {number} от {company}: {total}",
           "Уважаеми {customer},\n\nприлагаме нашата {kind_lower} {number} за {period}: {total}.\n\n-- {company}\n"),
    "az": ("{company} {kind} {number}: {total}",
           "Hörmətli {customer},\n\n{period} dövrü üçün {kind_lower} {number} əlavədədir: {total}.\n\n-- {company}\n"),
    "cs": ("{kind} {number} od {company}: {total}",
           "Vážený zákazníku {customer},\n\nv příloze zasíláme {kind_lower} {number} za {period}: {total}.\n\n"
           "-- {company}\n"),
    "nb": ("{kind} {number} fra {company}: {total}",
           "Kjære {customer},\n\nvedlagt er {kind_lower} {number} for {period}: {total}.\n\n-- {company}\n"),
}
for _lang, (_subject, _body) in INVOICE_TEXT.items():
    TEXT[_lang]["invoice_subject"], TEXT[_lang]["invoice_body"] = _subject, _body

# a customer's call note copied to their notes address (appliance/messages/rules.py), in the customer's language:
# the subject's word, then the labels of customer, number, call and author
NOTE_WORDS = {
    "en": ("Call note", "Customer", "Number", "Call", "Written by"),
    "tr": ("Çağrı notu", "Müşteri", "Numara", "Çağrı", "Yazan"),
    "bg": ("Бележка за разговор", "Клиент", "Номер", "Разговор", "Написана от"),
    "az": ("Zəng qeydi", "Müştəri", "Nömrə", "Zəng", "Yazan"),
    "cs": ("Poznámka k hovoru", "Zákazník", "Číslo", "Hovor", "Napsal(a)"),
    "nb": ("Samtalenotat", "Kunde", "Nummer", "Samtale", "Skrevet av"),
}
for _lang, (_note, _customer, _number, _call, _author) in NOTE_WORDS.items():
    TEXT[_lang]["note_subject"] = _note + ": {customer} {number}"
    TEXT[_lang]["note_body"] = (f"{_customer}: {{customer}}\n{_number}: {{number}}\n{_call}: {{call}}\n"
                                f"{_author}: {{author}}, {{when}}\n\n{{text}}\n")


def language(preferred: str, default: str) -> str:
    """The language to write in: the recipient's own if the box has it, else `default` ([mail] language)."""
    if preferred in LANGS:
        return preferred
    return default if default in LANGS else "en"


def text(lang: str, key: str, **fields: object) -> str:
    """The text `key` in `lang` (English where the language lacks it), with `fields` filled in."""
    return TEXT.get(lang, {}).get(key, TEXT["en"][key]).format(**fields)
