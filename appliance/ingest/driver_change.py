"""After a change of PBX driver in the PBX wizard: the lines the old driver processed are parsed again with the new one
(appliance.ingest.reprocess: their calls replaced, never doubled), when the web asked for it
(appliance.wizard.choice.request_reprocess) and the worker starts with the new driver. The worker's own processor
is used: the calls are priced as it prices new ones (stored unpriced while no tariff plan can be chosen, as new
calls are; `callbox rerate` prices them later)."""
from __future__ import annotations

import logging

from appliance.ingest import parse
from appliance.ingest.reprocess import reprocess
from appliance.paths import Paths, parse_lock
from appliance.store.billing import PeriodError
from appliance.wizard import choice

log = logging.getLogger(__name__)


def apply_pending(paths: Paths, processor: parse.Processor) -> dict | None:
    """Do the pending request for this processor's driver; its result (also written for the PBX wizard's page), or
    None when nothing was asked. A request for another driver (the choice changed again since) is dropped, said so."""
    asked = choice.pending_reprocess(paths.data)
    if asked is None:
        return None
    if asked.get("driver") != processor.driver:
        log.warning("a reprocess with driver %s was asked, the worker runs %s: not done", asked.get("driver"),
                    processor.driver)
        result: dict = {"error": f"the driver is {processor.driver} now, not {asked.get('driver')}"}
        choice.finish_reprocess(paths.data, asked, result)
        return result
    since = asked.get("since_utc")
    since_ns = int(since * 1_000_000_000) if isinstance(since, (int, float)) else None
    log.warning("driver changed from %s to %s: the journal's lines%s are parsed again", asked.get("previous"),
                processor.driver, f" since {since}" if since_ns is not None else "")
    try:
        with parse_lock(paths):
            result = reprocess(paths.journal, processor, since_ns)
    except PeriodError as e:       # calls of billed periods would be priced again: the administrator decides
        log.error("the reprocess after the change of driver was refused: %s", e)
        result = {"error": str(e)}
    except Exception as e:         # nothing changed (one transaction): new lines must not wait on it; the page says
        log.exception("the reprocess after the change of driver failed")
        result = {"error": f"{type(e).__name__}: {e}"}
    else:
        log.warning("reprocessed %d lines with %s: %d calls before, %d after", result["lines"], processor.driver,
                    result["calls_before"], result["calls_after"])
    choice.finish_reprocess(paths.data, asked, result)
    return result
