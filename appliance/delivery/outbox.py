"""The durable delivery outbox: enqueue e-mail, uploads and traps; deliver_due retries them with backoff.

A module that delivers something registers a function for its kind at import time
(`outbox.register("email", deliver)`); enqueue stores the item in callbox.db (so nothing is lost when the
network or the server is down) and deliver_due, run by the jobs process every minute and right after an
enqueue, tries every due item. A failure sets attempts + 1, the error and the next try: retry_first_s after
the first failure, doubling up to retry_max_s. Items stay until delivered or discarded by an administrator;
delivered and discarded ones are kept, without content, for keep_days.

Payloads are JSON objects; `bytes` values anywhere in them (attachments, files) travel base64-encoded as
{"$b64": "..."} and reach the deliverer as bytes again. Tuples come back as lists.
"""
from __future__ import annotations

import base64
import importlib
import json
import logging
import time
from pathlib import Path
from typing import Any, Callable

from appliance import config
from appliance.store import outbox as so

log = logging.getLogger(__name__)
Deliverer = Callable[[config.Config, Path, dict], None]
# The modules that register the built-in kinds: imported when an item of their kind is due and nothing
# registered it yet (the jobs process need not import every delivering module itself).
KIND_MODULES = {"email": "appliance.delivery.mail", "upload": "appliance.delivery.upload",
                "trap": "appliance.snmp.traps", "sms": "appliance.delivery.sms"}
SUMMARY_KEYS = ("to", "target", "name", "filename", "subject", "source", "text")
MAX_SUMMARY = 200
MAX_ERROR = 1000

_deliverers: dict[str, Deliverer] = {}
_wake: Callable[[], object] | None = None   # set by wake_with


def register(kind: str, deliver: Deliverer) -> None:
    """Register the function that delivers one item of `kind` (args: cfg, data_dir, payload); it raises on
    failure, with a message fit for an administrator."""
    if not kind or not kind.isidentifier():
        raise ValueError(f"outbox kind {kind!r} must be a simple name")
    _deliverers[kind] = deliver


def enqueue(kind: str, payload: dict, *, key: str | None = None, summary: str | None = None) -> int:
    """Store an item to deliver and return its id; with `key`, an item with that key still pending is not
    queued twice (its id is returned). `summary` (default: taken from the payload's to/target/subject...)
    is what the outbox page and the log show. The store's database must be open for writing."""
    if not isinstance(payload, dict):
        raise TypeError(f"outbox payload must be a dict, not {type(payload).__name__}")
    text = json.dumps(_encode(payload), ensure_ascii=False, separators=(",", ":"))
    summary = (summary if summary is not None else _summarize(payload))[:MAX_SUMMARY]
    item_id, new = so.insert(kind, text, key, summary, int(time.time()))
    if new:
        log.info("outbox: queued %s #%d %s", kind, item_id, summary)
        _kick()
    else:
        log.info("outbox: %s with key %r already queued as #%d", kind, key, item_id)
    return item_id


def deliver_due(cfg: config.Config, data_dir: Path, now: float | None = None) -> tuple[int, int]:
    """Try every item due at `now` once: (delivered, failed). Safe to run in several threads or processes
    at once: each item is claimed in a write transaction before it is delivered. Also prunes old records."""
    settings = cfg.section("outbox")
    now_s = int(time.time() if now is None else now)
    delivered = failed = 0
    tried: set[int] = set()
    while (claim := so.claim_next(now_s, settings.claim_s)) is not None:
        if claim.id in tried:   # tried once in this run already (a record could not be written): next run
            so.release(claim)
            break
        tried.add(claim.id)
        error = _attempt(cfg, Path(data_dir), claim)
        if error is None:
            so.mark_delivered(claim, now_s)
            delivered += 1
            log.info("outbox: delivered %s #%d %s", claim.kind, claim.id, claim.summary)
            continue
        delay = backoff(claim.attempts + 1, settings.retry_first_s, settings.retry_max_s)
        so.mark_failed(claim, now_s, error, now_s + delay)
        failed += 1
        log.warning("outbox: %s #%d %s failed (attempt %d, next try in %d s): %s", claim.kind, claim.id,
                    claim.summary, claim.attempts + 1, delay, error)
    pruned = so.prune(now_s - settings.keep_days * 86400)
    if pruned:
        log.info("outbox: pruned %d delivered or discarded items older than %d days", pruned, settings.keep_days)
    return delivered, failed


def backoff(attempts: int, first_s: int, max_s: int) -> int:
    """Seconds until the next try after `attempts` failures: first_s, doubling each time, at most max_s."""
    return min(max_s, first_s * 2 ** min(max(attempts - 1, 0), 30))


def discard(item_id: int, now: float | None = None) -> bool:
    """Give up a pending item (kept as a record, without content); False if it is not pending."""
    done = so.discard(item_id, int(time.time() if now is None else now))
    if done:
        log.info("outbox: item #%d discarded", item_id)
    return done


def retry_now(item_id: int, now: float | None = None) -> bool:
    """Make a pending item due now (the next deliver_due tries it); False if it is not pending."""
    done = so.retry_now(item_id, int(time.time() if now is None else now))
    if done:
        _kick()
    return done


def items(state: str | None = None, limit: int = 200) -> list[so.OutboxItem]:
    """Items for display (no payload): state None (all), pending, failed, delivered or discarded."""
    return so.items(state, limit)


def _attempt(cfg: config.Config, data_dir: Path, claim: so.Claim) -> str | None:
    """Deliver one claimed item: None on success, else the error message for the administrator."""
    deliver = _deliverer(claim.kind)
    if deliver is None:
        return f"no deliverer for kind {claim.kind!r}"
    try:
        deliver(cfg, data_dir, _decode(json.loads(claim.payload)))
    except Exception as e:   # a deliverer's failure of any kind is recorded on the item, never raised
        log.debug("outbox: %s #%d failed", claim.kind, claim.id, exc_info=True)
        return (str(e).strip() or type(e).__name__)[:MAX_ERROR]
    return None


def _deliverer(kind: str) -> Deliverer | None:
    if kind not in _deliverers and kind in KIND_MODULES:
        try:
            importlib.import_module(KIND_MODULES[kind])
        except ImportError as e:
            log.error("outbox: cannot load the %s deliverer %s: %s", kind, KIND_MODULES[kind], e)
    return _deliverers.get(kind)


def wake_with(task: Callable[[], object] | None) -> None:
    """What enqueue calls to have the jobs process deliver at once (appliance.jobs registers its task when it
    builds a consumer's huey); None: nothing, the periodic delivery takes the item within a minute."""
    global _wake
    _wake = task


def _kick() -> None:
    """Ask the jobs process to deliver now, when it registered a way to (wake_with)."""
    if _wake is None:
        return   # the periodic task delivers within a minute
    try:
        _wake()
    except Exception as e:   # the item is stored: a lost kick only delays it to the next minute
        log.warning("outbox: could not wake the jobs process: %s", e)


def _summarize(payload: dict) -> str:
    parts = []
    for k in SUMMARY_KEYS:
        v = payload.get(k)
        if isinstance(v, (list, tuple)):
            v = ", ".join(str(x) for x in v if isinstance(x, (str, int)))
        if isinstance(v, (str, int)) and str(v):
            parts.append(str(v))
    return " | ".join(parts)


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "$b64" in value:
            return base64.b64decode(value["$b64"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value
