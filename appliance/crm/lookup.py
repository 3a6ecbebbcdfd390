"""Who a number is, from the company's CRM (APP-5, CC-4): an HTTP GET of [crm] lookup_url answering JSON, the
name at [crm] lookup_name; cached, with a timeout, and never waited for.

`Lookup.name(number)` answers at once from the cache: found (the name), none (the CRM does not know the number),
pending (a lookup runs now, in a thread of its own: a green thread in the gevent web process) or failed (why: the
CRM was slow, down, or answered something that is not JSON). The operator panel refreshes every few seconds and
shows the name once it is there. A failed lookup is tried again after a tenth of lookup_cache_s, so a dead CRM costs
one request per number per that time, and at most MAX_RUNNING lookups run at once.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from appliance import config
from appliance.crm import fill

log = logging.getLogger(__name__)
MAX_RUNNING = 8
MAX_ANSWER = 256 * 1024
MAX_CACHED = 5000


@dataclass(frozen=True)
class Settings:
    url: str
    name_path: tuple[str, ...]
    timeout_s: float
    cache_s: int


@dataclass(frozen=True)
class Answer:
    state: str            # found | none | pending | failed | off
    name: str = ""
    why: str = ""


def read_settings(cfg: config.Config) -> Settings | None:
    """[crm] lookup_*; None without lookup_url. ConfigError naming the option for a URL that is not http(s) or has a
    field other than {number}."""
    sec = cfg.section("crm")
    url = sec.lookup_url.strip()
    if not url:
        return None
    where = f"{cfg.name}: [crm] lookup_url"
    if urlsplit(url).scheme not in ("http", "https"):
        raise config.ConfigError(f"{where}: {url!r} is not an http:// or https:// URL")
    try:
        filled = fill(url, number="0")
    except (KeyError, IndexError, ValueError):
        filled = None
    if filled is None or "{" in url.replace("{number}", ""):
        raise config.ConfigError(f"{where}: {url!r} may use only the field {{number}}")
    path = tuple(p for p in sec.lookup_name.strip().split(".") if p)
    if not path:
        raise config.ConfigError(f"{cfg.name}: [crm] lookup_name: empty")
    return Settings(url, path, sec.lookup_timeout_s, sec.lookup_cache_s)


def pick(data, path: tuple[str, ...]) -> str:
    """The text at `path` in decoded JSON ("" when absent or not text or a number)."""
    for part in path:
        if isinstance(data, list) and part.lstrip("-").isdigit() and -len(data) <= int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return ""
    if isinstance(data, bool) or not isinstance(data, (str, int, float)):
        return ""
    return " ".join(str(data).split())[:200]


def fetch(s: Settings, number: str) -> Answer:
    """One lookup, waited for (the worker thread's part): found, none or failed."""
    url = fill(s.url, number=number)
    if url is None:
        return Answer("none")
    req = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "callbox"})
    try:
        with urllib.request.urlopen(req, timeout=s.timeout_s) as resp:
            body = resp.read(MAX_ANSWER + 1)
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return Answer("none")
        return Answer("failed", why=f"HTTP {e.code}")
    except TimeoutError:
        return Answer("failed", why=f"no answer within {s.timeout_s:g} s")
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            return Answer("failed", why=f"no answer within {s.timeout_s:g} s")
        return Answer("failed", why=str(reason) or type(reason).__name__)
    if len(body) > MAX_ANSWER:
        return Answer("failed", why="answer too large")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return Answer("failed", why="the answer is not JSON")
    name = pick(data, s.name_path)
    return Answer("found", name) if name else Answer("none")


class Lookup:
    """The cache and the running lookups of one process (the web's)."""

    def __init__(self, settings: Settings | None, clock=time.monotonic):
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, Answer]] = {}     # number -> (good until, answer)
        self._running: set[str] = set()

    def name(self, number: str) -> Answer:
        """The cached answer for `number`, else pending (a lookup is started) or failed (too many are running)."""
        s = self.settings
        number = number.strip()
        if s is None:
            return Answer("off")
        if not number:
            return Answer("none")
        now = self.clock()
        with self._lock:
            hit = self._cache.get(number)
            if hit is not None and hit[0] > now:
                return hit[1]
            if number in self._running:
                return Answer("pending")
            if len(self._running) >= MAX_RUNNING:
                return Answer("failed", why="too many lookups waiting for the CRM")
            self._running.add(number)
        threading.Thread(target=self._run, args=(number,), name=f"crm-lookup-{number}", daemon=True).start()
        return hit[1] if hit is not None and hit[1].state != "failed" else Answer("pending")

    def _run(self, number: str) -> None:
        s = self.settings
        assert s is not None
        try:
            answer = fetch(s, number)
        except Exception as e:      # a lookup's failure of any kind is an answer, never a crash of the panel
            log.warning("crm lookup of %s failed", number, exc_info=True)
            answer = Answer("failed", why=type(e).__name__)
        if answer.state == "failed":
            log.warning("crm lookup of %s: %s", number, answer.why)
        keep = s.cache_s if answer.state != "failed" else s.cache_s / 10
        with self._lock:
            if len(self._cache) >= MAX_CACHED:
                now = self.clock()
                self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
                if len(self._cache) >= MAX_CACHED:
                    self._cache.clear()
            self._cache[number] = (self.clock() + keep, answer)
            self._running.discard(number)
