"""The HTTP SMS gateway ([sms]): one request per message, built from templates; the outbox's "sms" deliverer.

Most gateways take a GET or POST with the number, the text and a key; the URL, the body and one header are
string.Template texts (${to}, ${text}, ${sender}, ${secret}: JSON bodies are full of braces, so not str.format),
each value escaped for where it goes: percent-encoded in the URL and a form body, JSON string content in a JSON
body. A try fails (the outbox retries with backoff) on a network error, a timeout, a status other than 2xx, or an
answer that does not match ok_pattern; the error names the status and the start of the answer, never the secret.
"""
from __future__ import annotations

import json
import logging
import re
import string
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from appliance import config
from appliance.delivery import outbox
from appliance.paths import SecretFileError, read_secret

log = logging.getLogger(__name__)
FIELDS = ("to", "text", "sender", "secret")
MAX_ANSWER = 200


@dataclass(frozen=True)
class Gateway:
    url: str
    method: str
    body: str
    content_type: str
    header: str
    secret: str
    sender: str
    ok_pattern: re.Pattern | None
    timeout_s: float


def _template(where: str, text: str) -> string.Template:
    t = string.Template(text)
    if not t.is_valid():
        raise config.ConfigError(f"{where}: {text!r} has a $ that is not ${{field}} (write $$ for a dollar sign)")
    unknown = set(t.get_identifiers()) - set(FIELDS)
    if unknown:
        raise config.ConfigError(f"{where}: unknown field ${{{sorted(unknown)[0]}}} (known: {', '.join(FIELDS)})")
    return t


def read_settings(cfg: config.Config, data_dir: Path) -> Gateway | None:
    """[sms] checked; None when no gateway is set (url empty). ConfigError naming the option otherwise."""
    sec = cfg.section("sms")
    if not sec.url.strip():
        return None
    where = f"{cfg.name}: [sms]"
    if urlsplit(sec.url.strip()).scheme not in ("http", "https"):
        raise config.ConfigError(f"{where} url: {sec.url!r} is not an http:// or https:// URL")
    for key in ("url", "body", "header"):
        _template(f"{where} {key}", getattr(sec, key))
    if sec.header.strip() and ":" not in sec.header:
        raise config.ConfigError(f"{where} header: {sec.header!r} is not NAME: VALUE")
    try:
        pattern = re.compile(sec.ok_pattern) if sec.ok_pattern.strip() else None
    except re.error as e:
        raise config.ConfigError(f"{where} ok_pattern: {e}") from None
    secret = ""
    if sec.secret_file.strip():
        path = Path(sec.secret_file.strip())
        try:
            secret = read_secret(path if path.is_absolute() else Path(data_dir) / path, "[sms] secret_file")
        except SecretFileError as e:
            raise config.ConfigError(f"{where} secret_file: {e}") from None
    return Gateway(sec.url.strip(), sec.method.upper(), sec.body, sec.content_type.strip(), sec.header.strip(),
                   secret, sec.sender.strip(), pattern, sec.timeout_s)


def _escaped(values: dict[str, str], how: str) -> dict[str, str]:
    if how == "url":
        return {k: quote(v, safe="") for k, v in values.items()}
    if how == "json":
        return {k: json.dumps(v, ensure_ascii=False)[1:-1] for k, v in values.items()}
    return dict(values)


def build(gw: Gateway, to: str, text: str, sender: str = "") -> urllib.request.Request:
    """The HTTP request that sends `text` to `to` through the gateway."""
    values = {"to": to, "text": text, "sender": sender or gw.sender, "secret": gw.secret}
    url = string.Template(gw.url).substitute(_escaped(values, "url"))
    data = None
    headers = {"User-Agent": "callbox"}
    if gw.method == "POST":
        kind = gw.content_type.split(";")[0].strip().lower()
        how = "json" if kind.endswith("json") else "url" if kind == "application/x-www-form-urlencoded" else "raw"
        data = string.Template(gw.body).substitute(_escaped(values, how)).encode("utf-8")
        headers["Content-Type"] = gw.content_type
    if gw.header:
        name, _, value = string.Template(gw.header).substitute(values).partition(":")
        headers[name.strip()] = value.strip()
    return urllib.request.Request(url, data=data, headers=headers, method=gw.method)


def send(gw: Gateway, to: str, text: str, sender: str = "") -> str:
    """Send one SMS; the gateway's answer (its start). RuntimeError, with the reason, when it was not accepted."""
    req = build(gw, to, text, sender)

    def hide(s: str) -> str:
        return s.replace(gw.secret, "***") if gw.secret else s
    try:
        with urllib.request.urlopen(req, timeout=gw.timeout_s) as resp:
            answer = resp.read(64 * 1024).decode("utf-8", "replace")
            status = resp.status
    except urllib.error.HTTPError as e:
        body = e.read(MAX_ANSWER).decode("utf-8", "replace") if e.fp else ""
        raise RuntimeError(hide(f"SMS gateway answered HTTP {e.code}: {body.strip()[:MAX_ANSWER]}")) from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise RuntimeError(hide(f"SMS gateway {urlsplit(req.full_url).netloc}: {reason}")) from None
    if gw.ok_pattern is not None and not gw.ok_pattern.search(answer):
        raise RuntimeError(hide(f"SMS gateway answered HTTP {status} without {gw.ok_pattern.pattern!r}: "
                                f"{answer.strip()[:MAX_ANSWER]}"))
    return answer.strip()[:MAX_ANSWER]


def deliver(cfg: config.Config, data_dir: Path, payload: dict) -> None:
    """The outbox's "sms" deliverer: payload {"to", "text", "sender"?}."""
    gw = read_settings(cfg, data_dir)
    if gw is None:
        raise RuntimeError("no SMS gateway is set ([sms] url)")
    answer = send(gw, payload["to"], payload["text"], payload.get("sender", ""))
    log.info("sms: sent to %s (%d characters): %s", payload["to"], len(payload["text"]), answer[:80])


outbox.register("sms", deliver)
