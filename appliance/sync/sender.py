"""The branch's sender: enrolment, one send cycle (`callbox sync now`, and the sync process every [sync] period_s),
and the status (`callbox sync status`).

A cycle sends the stored batch, or builds the next, until the outbox is empty or the link fails; an answer of the
central decides what happens to a batch, never a timeout: a batch whose answer was lost is sent again and the
central acknowledges it without applying it twice. One cycle at a time per data directory (a file lock), so the
command and the process never both send.
"""
from __future__ import annotations

import fcntl
import json
import logging
import ssl
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from appliance import __version__, journal
from appliance.store.base import IMMEDIATE, db
from appliance.store.sync import get_state, install_triggers, set_state
from appliance.sync import archive, link, outbox, snapshot, versions, wire

log = logging.getLogger(__name__)


class SyncError(ValueError):
    """Sync cannot run as asked (not enrolled, already enrolled...); the message says what to do."""


@dataclass(frozen=True)
class Enrolment:
    url: str
    branch: str


def enrolment(data_dir: Path, url_override: str = "") -> Enrolment | None:
    """The central this box is enrolled with (its URL, or [sync] central when set), or None."""
    f = link.files(data_dir)
    if not f.enrolment.exists():
        return None
    doc = json.loads(f.enrolment.read_text(encoding="utf-8"))
    return Enrolment(url_override or doc["url"], doc["branch"])


def enrol(data_dir: Path, url: str, token: str) -> Enrolment:
    """Obtain this branch's certificate from the central at `url` with its one-time token, pin the central's CA, and
    start noting changed calls (every call already stored is queued). The database must be open."""
    f = link.files(data_dir)
    link.split_url(url)
    if f.enrolment.exists():
        raise SyncError(f"already enrolled ({f.enrolment}); to enrol again, move {f.folder} away first")
    for path in (f.key, f.cert, f.ca):
        path.unlink(missing_ok=True)      # the remains of an enrolment that failed half-way
    # late: the key and request (cryptography, ~7 MB of PSS) only when the box enrols, not in the web's every page
    from appliance.sync import keys
    key = keys.new_key()
    keys.write_key(f.key, key)
    doc = link.enrol(url, token, keys.make_request(key))
    f.cert.write_text(doc["cert"], encoding="ascii")
    f.ca.write_text(doc["ca"], encoding="ascii")
    install_triggers(backfill=True)
    f.enrolment.write_text(json.dumps({"url": url, "branch": doc["branch"]}), encoding="utf-8")
    log.info("enrolled with %s as branch %s", url, doc["branch"])
    return Enrolment(url, doc["branch"])


@contextmanager
def _one_cycle(data_dir: Path):
    run = Path(data_dir) / "run"
    run.mkdir(parents=True, exist_ok=True)
    with open(run / "sync.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _health(data_dir: Path, in_batch: int) -> dict[str, str]:
    """What the central's branch health page shows of this box: its backlog once this request's batch is applied,
    its raw journal's size, its quarantine count, its tariff versions and its directory's version."""
    return {wire.H_PENDING: str(max(0, outbox.backlog() - in_batch)),
            wire.H_JOURNAL: str(journal.usage(Path(data_dir) / "journal")[1]),
            wire.H_QUARANTINE: str(versions.quarantined()), wire.H_TARIFFS: versions.encode(versions.tariffs()),
            wire.H_DIRECTORY: versions.encode(versions.directory())}


def send_now(data_dir: Path, pbx_tenant: str, url_override: str = "", timeout: float = link.TIMEOUT_S,
             max_batches: int = 1000, archive_journal: bool = False) -> dict:
    """One cycle: {"sent": calls the central acknowledged now, "pending": calls still to send, "error": the
    failure or None}; with `archive_journal`, the sealed journal segments not yet archived on the central are
    uploaded after the batches (appliance/sync/archive.py)."""
    e = enrolment(data_dir, url_override)
    if e is None:
        raise SyncError("this box is not enrolled with a central (callbox sync enroll URL TOKEN)")
    sent, error, renumbered, held = 0, None, False, None
    with _one_cycle(data_dir):
        try:
            conn = link.Link(e.url, link.files(data_dir), timeout)
        except (OSError, ssl.SSLError) as err:   # the enrolment's files: missing or damaged
            raise SyncError(f"this box's sync credentials ({link.files(data_dir).folder}) cannot be used: {err}; "
                            "enrol it again") from None
        if not _central_takes() and outbox.evaluation_backlog():
            _ask_protocols(conn, data_dir)
        for _ in range(max_batches):
            batch = outbox.pending_batch() or outbox.build(e.branch, pbx_tenant, evaluations=_central_takes())
            if batch is None:
                break
            try:
                answer = conn.request("POST", "/sync/batch", batch.body,
                                      {**wire.headers(batch.body, batch.seq), **_health(data_dir, batch.rows)})
            except link.LinkError as err:
                error = str(err)
                log.warning("sync: batch %d not sent: %s", batch.seq, error)
                outbox.failed(error)
                expected = err.doc.get("expected") if err.status == 409 else None
                if isinstance(expected, int) and expected > 0 and not renumbered:
                    log.warning("sync: the central expects batch %d, not %d (this box's database was restored or "
                                "rebuilt?): sending from there", expected, batch.seq)
                    outbox.renumber(expected)
                    renumbered, error = True, None
                    continue
                break
            if answer.get("seq") != batch.seq:
                error = f"the central acknowledged batch {answer.get('seq')!r}, not {batch.seq}"
                outbox.failed(error)
                break
            outbox.acknowledged(batch)
            _note_protocols(answer)
            held = answer.get("snapshots", held)
            sent += batch.rows
            log.info("sync: batch %d (%d calls) %s", batch.seq, batch.rows,
                     "was already applied" if answer.get("duplicate") else "applied")
        if archive_journal and error is None:
            try:
                archive.upload(conn, Path(data_dir) / "journal")
            except link.LinkError as err:
                error = str(err)
                log.warning("sync: the journal's archive: %s", error)
                outbox.failed(error)
        if not sent and error is None:    # nothing to send: say we are up (the central watches for silence)
            try:
                answer = conn.request("GET", "/sync/hello",
                                      headers={"X-Callbox-Version": __version__, **_health(data_dir, 0)})
                held = answer.get("snapshots")
                outbox.contacted()
                _note_protocols(answer)
            except link.LinkError as err:
                error = str(err)
                log.warning("sync: the central cannot be reached: %s", error)
                outbox.failed(error)
        if error is None and isinstance(held, dict):
            error = _send_snapshots(conn, e.branch, held)
    return {"sent": sent, "pending": outbox.backlog(), "error": error}


def _ask_protocols(conn: link.Link, data_dir: Path) -> None:
    """Evaluations wait and the central has not said it takes them: ask it (a hello) before the batches, so a
    central updated since sends them in this cycle. A failure is left to the batches (they meet it and say it)."""
    try:
        answer = conn.request("GET", "/sync/hello", headers={"X-Callbox-Version": __version__, **_health(data_dir, 0)})
    except link.LinkError:
        return
    if _note_protocols(answer):
        log.info("sync: the central takes call evaluations: %d to send", outbox.evaluation_backlog())


def _central_takes() -> bool:
    """Has the central said it takes evaluations (protocol 4)? Until it has, they wait in their outbox."""
    return get_state("central_evaluations") == "1"


def _note_protocols(answer: dict) -> bool:
    """Note whether the central takes evaluations, from its answer (an older central says no protocols, and an
    updated one says so at its next answer); True when it has just started to."""
    takes = wire.takes_evaluations(answer)
    if takes == _central_takes():
        return False
    with db.atomic(IMMEDIATE):
        set_state(central_evaluations=int(takes))
    return takes


def _send_snapshots(conn: link.Link, branch: str, held: dict) -> str | None:
    """Send the directory and the tariffs whose version differs from the one the central holds (`held`, from its
    last answer; a central of an older release says none and gets none); the error, or None. A snapshot is made
    again only when its tables changed since the last one the central confirmed (their generation) or the central
    holds another version than that one."""
    for kind in snapshot.KINDS:
        last_gen, _sp, last_version = get_state(f"snapshot_sent_{kind}").partition(" ")
        if last_version and held.get(kind) == last_version and last_gen == get_state(f"snapshot_gen_{kind}", "0"):
            continue
        gen, t = snapshot.current(kind)
        version, body = snapshot.encode(kind, branch, t)
        if held.get(kind) != version:
            try:
                conn.request("POST", f"/sync/snapshot/{kind}", body, snapshot.headers(body, version))
            except link.LinkError as err:
                log.warning("sync: the %s not sent: %s", kind, err)
                outbox.failed(str(err))
                return str(err)
            log.info("sync: the %s sent (version %s)", kind, version[:12])
        with db.atomic(IMMEDIATE):
            set_state(**{f"snapshot_sent_{kind}": f"{gen} {version}"})
    return None


def status(data_dir: Path, url_override: str = "") -> dict:
    """{"enrolled", "central", "branch", "last_success", "backlog", "last_error", "last_error_at", "next_seq",
    "backlog_evaluations", "evaluations_held"} (times UTC ISO 8601, or null): "backlog" counts calls, as it always
    has; "backlog_evaluations" the call evaluations waiting, and "evaluations_held" says they wait because the
    central has not (yet) said it takes them (an older release: they go once it is updated)."""
    e = enrolment(data_dir, url_override)
    evaluations = outbox.evaluation_backlog()

    def iso(key: str) -> str | None:
        value = get_state(key)
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(value))) if value else None
    return {"enrolled": e is not None, "central": e.url if e else None, "branch": e.branch if e else None,
            "last_success": iso("last_success_utc"), "backlog": outbox.backlog(),
            "last_error": get_state("last_error") or None, "last_error_at": iso("last_error_utc"),
            "next_seq": int(get_state("next_seq", "1")), "backlog_evaluations": evaluations,
            "evaluations_held": bool(evaluations) and not _central_takes()}


def run(data_dir: Path, pbx_tenant: str, period_s: float, stop, url_override: str = "",
        timeout: float = link.TIMEOUT_S, archive_journal: bool = False) -> None:
    """The sync process: a cycle every period_s until `stop` (a threading.Event) is set; failures are logged and
    stored (status), and the next period retries."""
    log.info("sync: sending to %s every %.0f s", url_override or "the enrolled central", period_s)
    while not stop.is_set():
        try:
            result = send_now(data_dir, pbx_tenant, url_override, timeout, archive_journal=archive_journal)
            if result["sent"]:
                log.info("sync: %d calls sent, %d pending", result["sent"], result["pending"])
        except Exception:     # a bug must not end the process: the supervisor would only restart it into it
            log.exception("sync: cycle failed")
        stop.wait(period_s)
