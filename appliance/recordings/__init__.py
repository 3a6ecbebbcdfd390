"""Call recordings (APP-5): where the PBX's recording of a call is on a local folder or a mounted share, found from
the CDR's recordingfile field or a path template; never a path outside that folder."""
from __future__ import annotations

import fnmatch
import logging
import os
import re
import string
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from appliance import config

log = logging.getLogger(__name__)
# what a browser's <audio> plays, by suffix; other files (.gsm, .sln) are offered for download only
AUDIO_TYPES = {".wav": "audio/wav", ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".oga": "audio/ogg",
               ".opus": "audio/ogg", ".m4a": "audio/mp4", ".webm": "audio/webm", ".flac": "audio/flac"}
FIELDS = ("recordingfile", "userfield", "uniqueid", "linkedid", "extension", "party", "date")
MAX_GLOB = 5000           # entries looked at per wildcard directory: a huge folder must not stall a request
_SAFE = re.compile(r"[^\w.+@-]")


@dataclass(frozen=True)
class Settings:
    folder: Path | None
    templates: tuple[str, ...]
    retention_days: int = 0


def read_settings(cfg: config.Config) -> Settings:
    """[recordings]; ConfigError naming the option for a template with an unknown field."""
    sec = cfg.section("recordings")
    templates = tuple(t.strip() for t in sec.template.split(",") if t.strip())
    for t in templates:
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(t) if f is not None}
        except ValueError as e:
            raise config.ConfigError(f"{cfg.name}: [recordings] template {t!r}: {e}") from None
        unknown = names - set(FIELDS)
        if unknown:
            raise config.ConfigError(f"{cfg.name}: [recordings] template {t!r}: unknown field "
                                     f"{{{sorted(unknown)[0]}}} (known: {', '.join(FIELDS)})")
    folder = Path(sec.folder) if sec.folder.strip() else None
    return Settings(folder, templates, sec.retention_days)


def expired(settings: Settings, start_utc: int, now: float) -> bool:
    return bool(settings.retention_days) and start_utc < now - settings.retention_days * 86400


def _inside(folder: Path, path: Path) -> Path | None:
    """`path` resolved, if it is a file under `folder` (symlinks and .. that leave it are refused)."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if real.is_file() and real.is_relative_to(folder) else None


def _glob(folder: Path, pattern: str) -> Path | None:
    """The first file (sorted) matching a relative pattern with * and ? in its last part only."""
    parent, _, name = pattern.rpartition("/")
    directory = folder / parent if parent else folder
    try:
        with os.scandir(directory) as it:
            names = sorted(e.name for _, e in zip(range(MAX_GLOB), it))
    except OSError:
        return None
    for n in names:
        if fnmatch.fnmatchcase(n, name):
            found = _inside(folder, directory / n)
            if found is not None:
                return found
    return None


def locate(settings: Settings, start_utc: int, utc_offset: int, legs: list[dict[str, str]]) -> Path | None:
    """The recording of a call: the first template that names an existing file under the folder, tried with each
    leg's fields (dicts with recordingfile, uniqueid, linkedid, extension, party); None when there is none."""
    if settings.folder is None:
        return None
    folder = settings.folder.resolve()
    date = datetime.fromtimestamp(start_utc, timezone(timedelta(seconds=utc_offset)))
    for template in settings.templates:
        for leg in legs:
            values = {k: str(leg.get(k, "")) for k in FIELDS if k != "date"}
            if any(f"{{{k}" in template and not v for k, v in values.items()):
                continue          # a field this leg does not have: no guessing with an empty part
            # the CDR's recordingfile may be a bare name or an absolute path under the folder (MixMonitor's);
            # other fields are PBX text and may not carry a path separator into the pattern
            for k in ("recordingfile", "userfield"):
                if values[k].startswith(str(folder) + os.sep):
                    values[k] = values[k][len(str(folder)) + 1:]
            for k in FIELDS[2:-1]:
                values[k] = _SAFE.sub("_", values[k])
            rel = template.format(date=date, **values).lstrip("/")
            if ".." in Path(rel).parts:
                continue
            found = _glob(folder, rel) if any(c in rel.rpartition("/")[2] for c in "*?") else \
                _inside(folder, folder / rel)
            if found is not None:
                return found
    return None


def audio_type(path: Path) -> str | None:
    return AUDIO_TYPES.get(path.suffix.lower())
