"""LDAP / Active Directory as a directory source (ldap3): ldap://, ldaps:// or StartTLS, paged search, mapping."""
from __future__ import annotations

import logging
import re
import ssl
from pathlib import Path

from appliance import paths
from appliance.directory import texts
from appliance.directory.organisation import SourcePerson
from appliance.store import directory as sd

log = logging.getLogger(__name__)
MAX_EXTENSION_DIGITS = 6   # longer numbers are external (DDI) numbers, see extension_digits


class LDAPSourceError(Exception):
    """The directory server could not be read; the message names the server and the reason (.text: as a key and
    fields, appliance.directory.texts, when the words are ours; a server's or a library's own words have none)."""

    def __init__(self, message: str, text: dict | None = None):
        super().__init__(message)
        self.text = text

    @classmethod
    def of(cls, key: str, **fields: object) -> LDAPSourceError:
        return cls(texts.english(said := texts.text(key, **fields)), said)


def _mapping(s) -> dict[str, str]:
    fields = ("person_id", "first_name", "last_name", "email", "branch", "department", "cost_centre", "tenant")
    return {f: getattr(s, f"attr_{f}").strip() for f in fields if getattr(s, f"attr_{f}").strip()}


def extension_of(value: str, digits: int) -> str | None:
    """An extension from a phone attribute value: '214' -> '214'; '+90 232 555 0214' -> '0214' with digits=4;
    '+1 555 0100 x214' -> '214'; None for anything else."""
    value = value.strip()
    m = re.search(r"(?:x|ext\.?)\s*(\d+)$", value, re.IGNORECASE)
    if m:
        return m.group(1)
    compact = re.sub(r"[\s().-]", "", value)
    if not re.fullmatch(r"\+?\d+", compact):
        return None
    number = compact.lstrip("+")
    if len(number) <= MAX_EXTENSION_DIGITS and not compact.startswith("+"):
        return number
    return number[-digits:] if digits else None


def _values(attrs: dict, name: str) -> list[str]:
    value = attrs.get(name)
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values]


def _tenants() -> dict[str, str]:
    out = {}
    for t in sd.Tenant.select():
        out[t.name.casefold()] = t.code
        out[t.code.casefold()] = t.code
    return out


def to_person(dn: str, attrs: dict, mapping: dict[str, str], digits: int,
              tenants: dict[str, str]) -> SourcePerson | None:
    """One search entry as a SourcePerson (None without an id)."""
    first = {f: (_values(attrs, a) or [""])[0].strip() for f, a in mapping.items()}
    if not first.get("person_id"):
        log.info("%s: no %s, skipped", dn, mapping["person_id"])
        return None
    exts: list[str] = []
    for name in re.split(r"[,\s]+", mapping["extensions"].strip()):
        for value in _values(attrs, name):
            exts += [e for part in re.split(r"\s*/\s*", value) if (e := extension_of(part, digits))]
    tenant = tenants.get(first.get("tenant", "").casefold(), first.get("tenant", ""))
    return SourcePerson("ldap", dn, first["person_id"], tenant, first.get("first_name", ""),
                        first.get("last_name", ""), first.get("email", ""), first.get("branch", ""),
                        first.get("department", ""), first.get("cost_centre", ""), tuple(dict.fromkeys(exts)))


def password(s, base: Path) -> str:
    """bind_dn's password: the first line of [ldap] password_file (relative to `base`, the INI file's folder), else
    [ldap] password; LDAPSourceError when the file cannot be read or both are set."""
    if not s.password_file:
        return s.password
    if s.password:
        raise LDAPSourceError.of("ldap_password_twice")
    try:
        return paths.read_secret(base / s.password_file, "[ldap] password_file")   # an absolute path stays
    except paths.SecretFileError as e:
        raise LDAPSourceError(str(e)) from None


def _connect(s, secret: str):
    import ldap3   # late, as in fetch: ldap3 and its ASN.1 codec load only on a box with an LDAP source
    tls = ldap3.Tls(validate=ssl.CERT_REQUIRED if s.tls_verify else ssl.CERT_NONE, ca_certs_file=s.ca_file or None)
    server = ldap3.Server(s.url, use_ssl=s.url.lower().startswith("ldaps://"), tls=tls, get_info=ldap3.NONE,
                          connect_timeout=s.timeout_s)
    bind = ldap3.AUTO_BIND_TLS_BEFORE_BIND if s.starttls else ldap3.AUTO_BIND_NO_TLS
    return ldap3.Connection(server, user=s.bind_dn or None, password=secret or None, auto_bind=bind,
                            read_only=True, receive_timeout=s.timeout_s, auto_referrals=False,
                            raise_exceptions=True)


def fetch(s, default_tenant: str = "", base: Path = Path(".")) -> list[SourcePerson]:
    """Every person under [ldap] base_dn matching the filter, read page by page (`s`: the [ldap] settings; `base`:
    the folder relative secret paths are in)."""
    from ldap3 import SUBTREE   # late: ldap3 and its ASN.1 codec load only on a box with an LDAP source
    from ldap3.core.exceptions import LDAPException
    if not s.url.lower().startswith(("ldap://", "ldaps://")):
        raise LDAPSourceError.of("ldap_url", url=s.url)
    mapping = _mapping(s)
    mapping["extensions"] = s.attr_extensions
    attributes = [a for f, a in mapping.items() if f != "extensions"] + re.split(r"[,\s]+", s.attr_extensions.strip())
    tenants = _tenants() if s.attr_tenant.strip() else {}
    people = []
    try:
        conn = _connect(s, password(s, base))
        try:
            for entry in conn.extend.standard.paged_search(s.base_dn, s.filter, SUBTREE,
                                                           attributes=[a for a in attributes if a],
                                                           paged_size=s.paged_size, generator=True):
                if entry.get("type") == "searchResEntry":
                    rec = to_person(entry["dn"], entry["attributes"], mapping, s.extension_digits, tenants)
                    if rec is not None:
                        rec.tenant = rec.tenant or default_tenant
                        people.append(rec)
        finally:
            conn.unbind()
    except LDAPException as e:
        raise LDAPSourceError(f"{s.url}: {type(e).__name__}: {e}") from None
    log.info("%s: %d people under %s", s.url, len(people), s.base_dn)
    return people
