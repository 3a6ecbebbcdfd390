"""Issue 20 "Done when": every page, as administrator, supervisor, staff and operator, in all six languages, at
1,366 px and 390 px: no horizontal overflow of the page, no English text of the catalogue left, no console error
(nor HTTP error), no traceback in the web process's log; screenshots kept; axe-core finds no serious or critical
accessibility violation.

The pages are discovered, not listed: every GET route of the web app's route table without a parameter that
answers the role with an HTML page (the header's navigation links are such routes), then one example of every
parameterised route that a page links to (a person, a tariff version, a call, ...); a page another helper adds is
covered once it is merged. A few addresses with a date range add the sample's July 2017 data (tables and charts;
administrator and staff), not only empty pages.

CI time: one chromium, one context per role kept for its six languages, each page loaded once per language and
resized to 390 px in place (media queries re-apply without a reload); a role's pages discovered over HTTP with its
session (Playwright's request context), not rendered an extra time. Screenshots (full page, JPEG): every page of a
role at both widths in one language (administrator en, supervisor tr, operator bg, staff az), and every page that
fails a check. axe-core (tests/vendor/, checked by provisioning/vendor.txt) runs twice per address: at 1,366 px in
English, and at 390 px in one of the other five languages, a different one from address to address (each language is
checked at the phone's width on about a fifth of the addresses; the first role that has the address). matrix/cpu.txt:
the CPU seconds the matrix took (this process and its descendants: the web process, Playwright's driver, chromium).
Artefacts: $CALLBOX_ARTIFACTS or tests/artifacts/, under matrix/."""
from __future__ import annotations

import os
import re
import zlib
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser_helpers import REPO, ROLES, Recorder, artifacts_dir, log_in, seed, web_process
from i18n_helpers import english_left

pytestmark = pytest.mark.slow
LANGS = ("en", "tr", "bg", "az", "cs", "nb")
WIDTHS = (1366, 390)
# every page of a role photographed at both widths in one language (a different one per role); elsewhere only a
# page that fails a check
SHOTS = {"admin": "en", "supervisor": "tr", "operator": "bg", "staff": "az"}
AXED: set[tuple[str, int, str]] = set()      # (language, width, address) axe-core has checked
AXE = REPO / "tests" / "vendor" / "axe.min.js"
# routes that are not pages a user reads: files, data for scripts, login/logout, links that stand for a secret
NOT_PAGES = re.compile(r"^/(static|api|favicon\.ico|login|logout|first-admin)\b|/events$|\.(csv|pdf|json|png|txt)$"
                       r"|^/wallboard/<token>")
# addresses with the sample's data (July 2017): tables and charts full, not only the empty current month
WITH_DATA = ("/calls?since=2017-07-01&until=2017-08-01",
             "/reports?dim1=extension&range=custom&since=2017-07-01&until=2017-08-01&run=1",
             "/reports?dim1=extension&dim2=month&range=custom&since=2017-07-01&until=2017-08-01&run=1",
             "/reports/missed?run=1&range=custom&since=2017-07-01&until=2017-08-01",
             "/reports/traffic?run=1&range=custom&since=2017-07-01&until=2017-08-01",
             "/bill?since=2017-07-01&until=2017-08-01")
LINK = re.compile(r"""<a\s[^>]*?href=["'](/[^"']*)["']""")      # a page's links to the site (as the discovery reads)
AXE_SOURCE = AXE.read_text(encoding="utf-8") + "\n;0"
# the page's width once the layout settled (two frames: charts redraw on the resize's next frame)
# the heavy pages with data for the administrator and staff (scope own); supervisor and operator see the sample's
# one tenant as the administrator does (their plain pages are checked all the same): CI time
WITH_DATA_ROLES = ("admin", "staff")
WIDEST = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(
  () => done(document.documentElement.scrollWidth))))"""
# what sticks out: the deepest elements whose right edge passes the window (to name them in the failure)
OUTSIDE = """() => { const out = el => el.getBoundingClientRect().right > window.innerWidth + 1;
  return [...document.querySelectorAll('body *')].filter(el => out(el) && !el.closest('.scroll')
    && ![...el.children].some(out)).slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + ' ' + Math.round(el.getBoundingClientRect().right)); }"""
AXE_RUN = """async () => { const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')); }"""


@pytest.fixture(scope="module")
def matrix_site(tmp_path_factory):
    data = tmp_path_factory.mktemp("browser-matrix")
    seed(data)
    from webui.app import make_app
    routes = sorted({r.rule for r in make_app(data).routes if r.method == "GET" and not NOT_PAGES.search(r.rule)})
    with web_process(data) as url:
        yield url, data, routes


class Role:
    """A role's logged-in browser context (kept for its six languages) and the pages it reaches."""

    def __init__(self, browser, site, routes, name):
        self.site, self.name = site, name
        self.context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800}, ignore_https_errors=True)
        self.page = self.context.new_page()
        self.seen = Recorder(self.page)
        log_in(self.page, site, name, lang="en")
        self.pages = self._discover(routes)
        self.seen.errors.clear()

    def _discover(self, routes) -> list[str]:
        """The role's pages: the route table's plain GET routes it may open, the header's links, and one example
        of each parameterised route its pages link to (breadth first)."""
        plain = [r for r in routes if "<" not in r]
        pages, rules, queue = [], set(), []
        for href in [*plain, *(WITH_DATA if self.name in WITH_DATA_ROLES else ())]:
            queue.append(href)
        while queue:
            href = queue.pop(0)
            rule = self._rule(routes, href)
            if rule is None or (rule in rules and href not in WITH_DATA) or href in pages:
                continue
            # over HTTP with the context's session, not rendered: the language passes render every page anyway
            response = self.context.request.get(self.site + href)
            if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
                continue
            if urlsplit(response.url).path != urlsplit(self.site + href).path:     # redirected (a first-boot step)
                continue
            rules.add(rule)
            pages.append(href)
            for link in (unescape(m) for m in LINK.findall(response.text())):
                link_rule = self._rule(routes, link)
                if link_rule and link_rule not in rules and "<" in link_rule:
                    queue.append(link)
        return pages

    @staticmethod
    def _rule(routes, href) -> str | None:
        """The route rule that `href` (path and query) matches, None for what is not a page."""
        path = urlsplit(href).path
        for rule in routes:
            pattern = "^" + re.sub(r"<[^>]+>", "[^/]+", re.escape(rule).replace(r"\<", "<").replace(r"\>", ">")) + "$"
            if re.match(pattern, path):
                return rule
        return None


def tree_cpu_s() -> float:
    """CPU seconds (user + system, children reaped included) of this process and every live descendant: the test,
    the web process, Playwright's driver and chromium's processes. The matrix's cost, whatever the machine's load."""
    tick, parents, cpu = os.sysconf("SC_CLK_TCK"), {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
            cpu[int(entry.name)] = sum(int(f) for f in fields[11:15]) / tick
    mine, grew = {os.getpid()}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in mine} - mine
        mine, grew = mine | more, bool(more)
    return sum(cpu.get(pid, 0.0) for pid in mine)


@pytest.fixture(scope="module")
def roles(matrix_site, browser):
    site, _data, routes = matrix_site
    made: dict[str, Role] = {}

    def get(name: str) -> Role:
        if name not in made:
            made[name] = Role(browser, site, routes, name)
        return made[name]
    started = tree_cpu_s()
    yield get
    spent = tree_cpu_s() - started
    (shot_dir() / "cpu.txt").write_text(f"{spent:.1f} CPU s for {sum(len(r.pages) for r in made.values())} pages x "
                                        f"{len(LANGS)} languages x {len(WIDTHS)} widths (roles: {', '.join(made)})\n",
                                        encoding="utf-8")
    for role in made.values():
        role.context.close()


def shot_dir() -> Path:
    path = artifacts_dir() / "matrix"
    path.mkdir(parents=True, exist_ok=True)
    return path


def shot(page, role: str, lang: str, width: int, href: str) -> None:
    name = re.sub(r"[^A-Za-z0-9]+", "_", href.split("?")[0]).strip("_") or "home"
    if "?" in href:
        name += f"-{zlib.crc32(href.encode()) % 10000:04d}"
    page.screenshot(path=str(shot_dir() / f"{role}-{lang}-{width}-{name}.jpg"), type="jpeg", quality=60,
                    full_page=True)


def settled_width(page, width: int) -> int:
    """The page's width once it fits `width`, or after 5 s (a chart redraws for the new width a few frames after
    the resize; under load later than two frames)."""
    try:
        page.wait_for_function("w => document.documentElement.scrollWidth <= w", arg=width, timeout=5000)
    except PlaywrightTimeout:
        pass
    return page.evaluate(WIDEST)


def server_tracebacks(data: Path, offset: int) -> tuple[list[str], int]:
    log = data / "log" / "web.log"
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    new = text[offset:]
    return ([block[:600] for block in new.split("Traceback (most recent call last)")[1:]], len(text))


def axe_due(lang: str, width: int, href: str) -> bool:
    """Whether axe-core checks `href` in `lang` at `width` (and note it): in English at 1,366 px; at 390 px in the
    address's turn of the other five languages; once per address and language, whichever role comes first."""
    turn = LANGS[1 + zlib.crc32(href.encode()) % (len(LANGS) - 1)]
    due = (lang, width) in (("en", WIDTHS[0]), (turn, WIDTHS[1])) and (lang, width, href) not in AXED
    if due:
        AXED.add((lang, width, href))
    return due


def axe(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)       # through the DevTools protocol: the page's CSP forbids a script tag
    return page.evaluate(AXE_RUN)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", tuple(ROLES))
def test_every_page_every_role_language_and_width(matrix_site, roles, name, lang):
    site, data, _routes = matrix_site
    role = roles(name)
    page, problems = role.page, []
    assert len(role.pages) >= (12 if name == "admin" else 3), (name, role.pages)
    _tracebacks, offset = server_tracebacks(data, 0)
    page.goto(f"{site}/?lang={lang}")                      # the switch: the account keeps the choice
    for href in role.pages:
        role.seen.errors.clear()
        page.set_viewport_size({"width": WIDTHS[0], "height": 800})
        page.goto(site + href)
        failed = False
        if page.locator("html").get_attribute("lang") != lang:
            problems.append(f"{href}: html lang is {page.locator('html').get_attribute('lang')}")
        left = english_left(page.content(), lang, frozenset(ROLES)) if lang != "en" else []
        if left:
            problems.append(f"{href}: English left {left}")
            failed = True
        for width in WIDTHS:
            if width != WIDTHS[0]:
                page.set_viewport_size({"width": width, "height": 800})
            wide = settled_width(page, width)
            if wide > width:
                problems.append(f"{width} px: {href} is {wide} px wide: {page.evaluate(OUTSIDE)}")
            if axe_due(lang, width, href):
                found = axe(page)
                if found:
                    problems.append(f"{width} px: {href}: axe {found}")
                    failed = True
            if SHOTS[name] == lang or failed or wide > width:
                shot(page, name, lang, width, href)
        if role.seen.errors:
            problems.append(f"{href}: {role.seen.errors}")
        tracebacks, offset = server_tracebacks(data, offset)
        if tracebacks:
            problems.append(f"{href}: traceback in the web log {tracebacks}")
    (shot_dir() / f"problems-{name}-{lang}.txt").write_text("\n".join(problems) + "\n", encoding="utf-8")
    assert not problems, "\n".join(problems)
