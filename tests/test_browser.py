"""The HTML book in a real browser (Debian's Chromium driven by Playwright), fully offline.

The rendered site is served on 127.0.0.1; every request to any other host is blocked and recorded.
Every page must load without a console error, every image must load, every internal link must
resolve, the search box must find a chapter by a word in it, and no request may leave the site.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from analysis import render_checks
from tests.conftest import REQUIRE_QUARTO

pytestmark = [pytest.mark.render, pytest.mark.browser]

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
#: Flags for a headless Chromium on a machine without network (see README: Testing).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _chromium() -> str:
    for candidate in (os.environ.get("CHROMIUM"), *CHROMIUM_CANDIDATES, shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    message = "Chromium is not installed (Debian: apt-get install chromium)"
    if os.environ.get(REQUIRE_QUARTO) == "1":
        pytest.fail(message)
    pytest.skip(message)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def served_site(rendered_book) -> Iterator[str]:
    if rendered_book.returncode != 0:
        pytest.fail("quarto render failed; see test_render.py")
    handler = functools.partial(_QuietHandler, directory=str(rendered_book.output_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    executable = _chromium()
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _Visit:
    """A browser context that blocks and records every request leaving ``origin``."""

    def __init__(self, browser, origin: str):
        self.origin = origin
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.console_errors: list[str] = []
        self.context = browser.new_context()
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(f"page error: {exc}"))
        self.page.on("requestfailed", lambda req: self.failed.append(req.url))

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.origin) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def close(self) -> None:
        self.context.close()


def _page_paths(site: Path) -> list[str]:
    return [str(p.path) for p in render_checks.html_pages(site)]


def test_every_page_loads_offline_with_images_and_no_console_error(browser, served_site,
                                                                   rendered_book):
    problems = []
    visit = _Visit(browser, served_site)
    try:
        for path in _page_paths(rendered_book.output_dir):
            visit.console_errors.clear()
            response = visit.page.goto(f"{served_site}/{path}", wait_until="networkidle")
            if response is None or response.status != 200:
                problems.append(f"{path}: HTTP {response.status if response else 'no response'}")
            broken = visit.page.eval_on_selector_all(
                "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0))"
                       ".map(i => i.getAttribute('src'))")
            problems += [f"{path}: image did not load: {src}" for src in broken]
            math = visit.page.eval_on_selector_all("math", "m => m.length")
            raw_tex = visit.page.evaluate(
                "() => /\\\\\\(|\\\\\\[|\\$\\$/.test(document.querySelector('main')?.innerText"
                " ?? '')")
            if raw_tex:
                problems.append(f"{path}: raw TeX delimiters visible ({math} MathML elements)")
            problems += [f"{path}: console: {e}" for e in visit.console_errors]
        problems += [f"request left the site: {url}" for url in sorted(set(visit.outside))]
        problems += [f"request failed: {url}" for url in sorted(set(visit.failed))
                     if url.startswith(served_site)]
    finally:
        visit.close()
    assert not problems, "\n".join(problems)


def test_internal_links_resolve_in_the_browser(browser, served_site, rendered_book):
    """Every same-site link answers 200 and every #anchor exists on its target page."""
    visit = _Visit(browser, served_site)
    problems = []
    try:
        targets: set[str] = set()
        for path in _page_paths(rendered_book.output_dir):
            visit.page.goto(f"{served_site}/{path}", wait_until="domcontentloaded")
            hrefs = visit.page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")
            targets.update(h for h in hrefs if h.startswith(served_site))
        pages_ids: dict[str, set[str]] = {}
        for url in sorted(targets):
            parts = urlsplit(url)
            base = f"{served_site}{parts.path}"
            is_page = parts.path.endswith((".html", "/"))
            if base not in pages_ids:
                if is_page:
                    response = visit.page.goto(base, wait_until="domcontentloaded")
                    status = response.status if response else None
                    ids = set(visit.page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
                else:  # a download (PDF, CSV): fetched, not opened in a viewer
                    status = visit.context.request.get(base).status
                    ids = set()
                if status != 200:
                    problems.append(f"{url}: HTTP {status}")
                pages_ids[base] = ids
            fragment = parts.fragment
            if fragment and is_page and fragment not in pages_ids[base]:
                problems.append(f"{url}: no element with id {fragment!r}")
        assert not visit.outside, f"requests left the site: {visit.outside}"
    finally:
        visit.close()
    assert not problems, "\n".join(problems)


def test_search_finds_a_chapter_by_a_word_in_it(browser, served_site):
    visit = _Visit(browser, served_site)
    try:
        visit.page.goto(f"{served_site}/index.html", wait_until="networkidle")
        box = visit.page.locator("#quarto-search input, .aa-Input").first
        box.click()
        box.fill("saturation")
        visit.page.wait_for_selector(".aa-Item", timeout=15000)
        hits = visit.page.eval_on_selector_all(".aa-Item a, .aa-Item",
                                               "els => els.map(e => e.textContent)")
        assert any("Interference, estimands and designs for groups" in h or "saturation" in h
                   for h in hits), hits[:5]
        links = visit.page.eval_on_selector_all("a.search-result-link, .aa-Item a",
                                                "as => as.map(a => a.getAttribute('href'))")
        assert any("02-interference.html" in (href or "") for href in links), links[:10]
        assert not visit.outside, f"requests left the site: {visit.outside}"
    finally:
        visit.close()


def test_every_provenance_csv_link_loads_as_a_table(browser, served_site, rendered_book):
    """Every "(CSV)" link under a figure or table answers 200 with a CSV that has a header row
    and at least one data row, and every table of the manifest is offered once in the site."""
    import csv
    import io

    visit = _Visit(browser, served_site)
    problems, links = [], set()
    try:
        for path in _page_paths(rendered_book.output_dir):
            visit.page.goto(f"{served_site}/{path}", wait_until="domcontentloaded")
            links.update(visit.page.eval_on_selector_all(
                ".artifact-provenance a[href$='.csv']", "as => as.map(a => a.href)"))
        assert links, "no CSV link under any figure or table"
        for url in sorted(links):
            response = visit.context.request.get(url)
            if response.status != 200:
                problems.append(f"{url}: HTTP {response.status}")
                continue
            rows = list(csv.reader(io.StringIO(response.text())))
            if len(rows) < 2 or not all(rows[0]):
                problems.append(f"{url}: not a table with a header row ({len(rows)} rows)")
    finally:
        visit.close()
    assert not problems, "\n".join(problems)
    offered = {Path(urlsplit(url).path).stem for url in links}
    in_site = {p.stem for p in (rendered_book.output_dir / "data").glob("*.csv")}
    assert offered <= in_site


OVERFLOWING_TABLES = """() => [...document.querySelectorAll('main table')].map(t => {
    const box = t.closest('.cell-output-display') || t.parentElement;
    const caption = t.closest('.quarto-float')?.querySelector('figcaption')?.innerText ?? '';
    return [caption.replace(/\\u00a0/g, ' ').slice(0, 60), t.scrollWidth, box.clientWidth];
}).filter(([, wide, room]) => wide > room + 2)"""


def test_tables_fit_the_text_column_of_a_1300_pixel_window(browser, served_site, rendered_book):
    """A table wider than its column scrolls, and its last columns are hidden until the reader
    scrolls; result tables with many columns get smaller type (class wide-table) instead, and
    checksums wrap inside their cells (class checksum-table)."""
    visit = _Visit(browser, served_site)
    visit.page.set_viewport_size({"width": 1300, "height": 1000})
    problems = []
    try:
        for path in _page_paths(rendered_book.output_dir):
            visit.page.goto(f"{served_site}/{path}", wait_until="networkidle")
            for caption, wide, room in visit.page.evaluate(OVERFLOWING_TABLES):
                problems.append(f"{path}: {caption!r} is {wide}px in a {room}px column")
    finally:
        visit.close()
    assert not problems, "\n".join(problems)
