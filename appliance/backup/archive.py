"""The backup's contents: a tar stream (manifest.json first) of the data directory's configuration and secrets,
users.db, callbox.db (directory, tariffs, schedules, ...; its call tables emptied unless the calls are asked for)
and optionally journal/; written through crypto.EncryptingWriter, read back through crypto.DecryptingReader.

The databases are copied with SQLite's online backup (a consistent copy while the processes write). Left out always:
run/ and log/ (RAM disks on the box), huey.db (queued jobs), WAL and lock files."""
from __future__ import annotations

import io
import json
import logging
import sqlite3
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any, BinaryIO

import appliance
from appliance import reload
from appliance.backup.crypto import BackupError, DecryptingReader, EncryptingWriter

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"
DATABASES = ("callbox.db", "users.db")
# and the PBX wizard's request to parse the journal again after a change of driver, with its result
# (appliance.wizard.choice): about this box's journal and calls, not the restored box's
SKIP = ({"run", "log", "journal", "huey.db", "backup", "reprocess-request.json", "reprocess-result.json"}
        | set(DATABASES))
SKIP_SUFFIXES = ("-wal", "-shm", "-journal", ".lock", ".tmp", ".new")
# The tables of what the journal gives (calls, their legs and roll-ups, queue events, the parse cursor): emptied in a
# backup without the calls. Restored with the journal, the worker derives them again from the start of the journal.
CALL_TABLES = ("call", "call_tenant", "leg", "leg_code", "duplicate", "quarantine", "link_event", "queue_event",
               "queue_call", "queue_hour", "queue_hour_dirty", "queue_state", "cursor", "central_call", "shop_call",
               "sync_outbox", "rollup_band", "rollup_class", "rollup_day", "rollup_dirty", "rollup_ext",
               "rollup_ext_month", "rollup_hour", "rollup_month_dirty", "rollup_state", "rollup_trunk",
               "rollup_offer", "rollup_offer_ext", "rollup_offer_month", "rollup_offer_total", "rollup_occupancy",
               "rollup_occupancy_quarter", "rollup_long_call")


def _copy_db(src: Path, dest: Path, without_calls: bool) -> None:
    """A consistent copy of the database `src` as one file (no WAL beside it), its call tables emptied if asked."""
    source, copy = sqlite3.connect(f"file:{src}?mode=ro", uri=True), sqlite3.connect(dest)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")      # the copy is one self-contained file
        if without_calls:
            present = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            copy.execute("PRAGMA foreign_keys = OFF")
            for table in CALL_TABLES:
                if table in present:
                    copy.execute(f'DELETE FROM "{table}"')
            copy.commit()
            copy.execute("VACUUM")
    finally:
        source.close()
        copy.close()


def _files(data: Path, journal: bool) -> list[Path]:
    out = []
    for path in sorted(data.rglob("*")):
        rel = path.relative_to(data)
        if not path.is_file() or path.name.endswith(SKIP_SUFFIXES):
            continue
        if rel.parts[0] in SKIP and not (journal and rel.parts[0] == "journal"):
            continue
        if rel.parts[0].startswith((".backup-", ".restore-")):   # a backup or restore under way (this one)
            continue
        out.append(path)
    return out


def create(data: Path, out: BinaryIO, passphrase: str, calls: bool = False, journal: bool = False) -> dict:
    """Write the encrypted backup of the data directory `data` to `out`; returns its manifest."""
    data = Path(data)
    writer = EncryptingWriter(out, passphrase)
    created = int(time.time())
    manifest: dict[str, Any] = {"format": 1, "version": appliance.__version__, "created_utc": created,
                                "calls": calls, "journal": journal, "files": []}
    with tempfile.TemporaryDirectory(dir=data, prefix=".backup-") as tmp, \
            tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:   # type: ignore[call-overload]
        files = [(p, str(p.relative_to(data))) for p in _files(data, journal)]
        for name in DATABASES:
            if (data / name).exists():
                _copy_db(data / name, Path(tmp) / name, without_calls=name == "callbox.db" and not calls)
                files.append((Path(tmp) / name, name))
        manifest["files"] = sorted(arc for _, arc in files)
        body = json.dumps(manifest, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(body), created, 0o600
        tar.addfile(info, io.BytesIO(body))
        for path, arc in files:
            tar.add(str(path), arcname=arc, recursive=False)
    writer.close()
    log.info("backup made: %d files, calls %s, journal %s", len(manifest["files"]), calls, journal)
    return manifest


def _is_fresh(data: Path) -> bool:
    """Nothing a restore would overwrite: no users, no calls, no journal."""
    if (data / "journal").exists() and any((data / "journal").iterdir()):
        return False
    for name, table in (("users.db", "user"), ("callbox.db", "call")):
        if (data / name).exists():
            with sqlite3.connect(f"file:{data / name}?mode=ro", uri=True) as db:
                try:
                    if db.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone():
                        return False
                except sqlite3.OperationalError:
                    continue
    return True


def restore(src: BinaryIO, data: Path, passphrase: str, force: bool = False) -> dict:
    """Restore an encrypted backup into the data directory `data` (a new box's; `force` overwrites one in use: stop
    its processes first). Everything is checked (passphrase, every chunk) into a staging folder before a file of
    `data` is replaced. Returns the manifest; BackupError saying what is wrong."""
    data = Path(data)
    data.mkdir(parents=True, exist_ok=True)
    if not force and not _is_fresh(data):
        raise BackupError(f"{data} holds users, calls or a journal already: restore into a new box's data directory "
                          "(or --force, with the processes stopped)")
    reader = DecryptingReader(src, passphrase)
    with tempfile.TemporaryDirectory(dir=data, prefix=".restore-") as tmp:
        staging = Path(tmp)
        manifest: dict = {}
        try:
            with tarfile.open(fileobj=reader, mode="r|") as tar:   # type: ignore[call-overload]
                for member in tar:
                    if member.name == MANIFEST:
                        manifest = json.loads(tar.extractfile(member).read())   # type: ignore[union-attr]
                        continue
                    tar.extract(member, staging, filter="data")
        except (tarfile.TarError, ValueError, OSError) as e:
            if isinstance(e, BackupError):
                raise
            raise BackupError(f"the backup's archive is damaged: {e}") from None
        if manifest.get("format") != 1:
            raise BackupError("not a Callbox backup (no manifest)")
        for name in DATABASES + ("journal",):        # what the box rebuilds goes first: no stale WAL beside new files
            for stale in (data / name, *[data / f"{name}{s}" for s in ("-wal", "-shm")]):
                if stale.is_dir() and (staging / name).exists():
                    _remove_tree(stale)
                elif stale.is_file() and (staging / name).exists():
                    stale.unlink()
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                target = data / path.relative_to(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                path.replace(target)
    log.info("backup of %s restored into %s: %d files", manifest.get("created_utc"), data, len(manifest["files"]))
    return manifest


def restore_running(src: BinaryIO, data: Path, passphrase: str, ini: Path | None = None) -> dict:
    """The web's restore, on a box whose processes run: restore() over what is there (everything checked first, so a
    wrong passphrase or a damaged file changes nothing), then the configuration file `ini` (default
    <data>/callbox.ini) is followed by a restart request beside it (appliance.reload.request_restart), so that
    capture, the worker and jobs, which watch both (appliance.procs.watch_config), start again on the restored data
    by themselves, whether or not the restored settings differ. The web restarts itself (its caller). Returns the
    manifest."""
    data = Path(data)
    manifest = restore(src, data, passphrase, force=True)
    ini = Path(ini) if ini is not None else data / "callbox.ini"
    reload.request_restart(ini)
    log.warning("backup restored into the running box %s: its processes restart on it", data)
    return manifest


def _remove_tree(path: Path) -> None:
    for p in sorted(path.rglob("*"), reverse=True):
        p.rmdir() if p.is_dir() else p.unlink()
    path.rmdir()
