"""A re-rate asked on the web (/tariffs): the stored calls priced again with the current tariffs, as `callbox rerate`
does, without a shell. Re-rating writes call rows, which only the writers do (the web never writes call data), so
the web leaves a request in the data directory and the worker does it when it has no new lines to read
(appliance/ingest/worker.py), leaving its result for the page."""
from __future__ import annotations

import time
from pathlib import Path

from appliance.paths import read_note, write_note

REQUEST = "rerate-request.json"
RESULT = "rerate-result.json"


def ask(data_dir: Path, since_utc: int | None, by: str, reclassify: bool = False) -> None:
    """Ask for the calls that started since `since_utc` (None: every stored call) to be priced again; `reclassify`:
    their numbers classified again too, after a change of the numbering plan (`callbox rerate --reclassify`). Calls
    of billed periods keep their price (the CLI's --force is not offered on the web)."""
    write_note(Path(data_dir) / REQUEST, {"since_utc": since_utc, "by": by, "reclassify": reclassify,
                                          "asked_utc": int(time.time())})


def pending(data_dir: Path) -> dict | None:
    """The request not yet done: {"since_utc", "by", "reclassify", "asked_utc"}, or None."""
    return read_note(Path(data_dir) / REQUEST)


def finish(data_dir: Path, request: dict, result: dict) -> None:
    """The worker's answer ({"calls", "billed_kept", "billed_periods"} or {"error"}) with its request, which goes."""
    write_note(Path(data_dir) / RESULT, {**request, **result, "done_utc": int(time.time())})
    (Path(data_dir) / REQUEST).unlink(missing_ok=True)


def last(data_dir: Path) -> dict | None:
    """What the last re-rate asked on the web did (finish's record), or None."""
    return read_note(Path(data_dir) / RESULT)
