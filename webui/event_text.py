"""Capture's link-event details in the reader's language (issue 20: they were shown in English on every page).

Capture journals a detail it makes itself with its text's key and fields (appliance/capture/links.py TEXTS); the
worker stores them beside the English detail (link_event.text). This says them with the web's catalogue; an older
event's detail, or one in an OS's or a PBX's own words, shows as stored (term(): "connected", "listening")."""
from __future__ import annotations

import json

import bottle

from appliance.capture.links import TEXTS
from webui.i18n import N_, _, fmt_number, ngettext, term

LINK_TEXTS = {
    "handshake_steps": N_("{steps} steps in {ms} ms"),
    "silent_after_login": N_("{why}; nothing received since the handshake (login settings?)"),
    "refused_allow": N_("not in [capture] allow"),
    "refused_per_source": N_("already {most} connections from this address ([capture] max_per_source)"),
    "refused_total": N_("already {most} connections ([capture] max_connections)"),
    # capture's English; the web says these two by COUNTED, with the language's plural forms
    "refused_many": "{count} connections refused from {address}, the last {why}",
    "refused_since": "{count} connections refused since the last report from {address}, the last {why}",
    "dropped": N_("dropped: silent for {seconds} s and {why}; its place went to {source}"),
    "handshake_step": N_("step {step} of {steps}: {why}; last bytes received {seen}"),
    "handshake_timeout": N_("no {marker} within {seconds} s"),
    "handshake_waiting": N_("{why} while waiting for {marker}"),
    # the transports' (appliance/capture/transports.py); {error} is the OS's own words
    "connect_failed": N_("connect to {host}:{port} failed: {error}"),
    "device_missing": N_("device {path} is not present"), "open_failed": N_("cannot open {path}: {error}"),
    "read_failed": N_("read failed: {error}"), "device_vanished": N_("device {path} vanished"),
    "receive_failed": N_("receive failed: {error}"), "closed_by_peer": N_("connection closed by peer"),
    "send_timeout": N_("send timed out after {seconds} s"), "send_failed": N_("send failed: {error}"),
    "listen_failed": N_("cannot listen on {host}:{port}: {error}"), "accept_failed": N_("accept failed: {error}")}
assert LINK_TEXTS == TEXTS, "webui/event_text.py says capture's texts: the same keys and English"

# the texts whose {count} names what it counts: the language's plural rules ("1 connection refused")
COUNTED = {
    "refused_many": lambda n: ngettext("{count} connection refused from {address}, the last {why}",
                                       "{count} connections refused from {address}, the last {why}", n),
    "refused_since": lambda n: ngettext("{count} connection refused since the last report from {address}, the last "
                                        "{why}", "{count} connections refused since the last report from {address}, "
                                        "the last {why}", n)}


def _say(key: str, fields: dict) -> str:
    shown = {k: _say(v["key"], v.get("fields") or {}) if isinstance(v, dict) else
             fmt_number(v) if isinstance(v, int) and k not in ("address", "port") else term(str(v)) if k == "why" else v
             for k, v in fields.items()}
    counted = COUNTED.get(key)
    words = counted(int(fields.get("count", 0))) if counted is not None else _(LINK_TEXTS[key])
    return words.format(**shown)


def link_detail(detail: str, text: str = "") -> str:
    """A link event's detail in the user's language: its stored key and fields said, else the detail as stored."""
    try:
        doc = json.loads(text) if text else None
        if isinstance(doc, dict) and doc.get("key") in LINK_TEXTS:
            return _say(doc["key"], dict(doc.get("fields") or {}))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        pass
    return term(detail)


bottle.BaseTemplate.defaults["link_detail"] = link_detail    # for templates/status.tpl, as webui.i18n's HELPERS
