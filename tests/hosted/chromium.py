"""Headless Debian Chromium driven by Playwright, against the live server.

Test modules load it with ``pytest_plugins = ["tests.hosted.chromium"]``. One browser is
launched per module; each test gets a fresh context (no cookie carries over) and a ``Tab``:
the Playwright page, what it requested, what it logged and a screenshot helper.

- The browser is ``/usr/bin/chromium`` (Debian's package, installed by scripts/bootstrap.sh);
  Playwright's own browser downloads are never used. A missing browser fails the test: it
  never skips.
- Nothing leaves the machine: host names other than ``localhost`` resolve to nothing, and
  every request is recorded so a test can assert where the page went.
- Screenshots go to ``$COGNITO_SCREENSHOTS`` when set (``make screenshots`` sets it to
  docs/screenshots, the pictures the README shows), else under pytest's temporary directory.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connections
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    sync_playwright,
)

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Only localhost and 127.0.0.1 resolve: a page can reach nothing outside this machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
DESKTOP = {"width": 960, "height": 760}
MOBILE = {"width": 375, "height": 740}
NETWORK_NOTICE = "Failed to load resource: the server responded with a status of"

# What a person needs from every page, read in the browser: a language and a title, a label
# for every field, alternative text for every image, the focus on the first field to fill (the
# first, or one after fields the page filled in itself, such as a known username), and text that
# meets WCAG's contrast minimum (4.5:1, or 3:1 for large text) against what is behind it, as
# do the edges of fields (3:1, WCAG 1.4.11).
PROBLEMS = r"""() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("no lang on <html>");
  if (!document.title.trim()) problems.push("no <title>");
  const fields = [...document.querySelectorAll("input, select, textarea")]
    .filter(el => el.type !== "hidden" && el.getClientRects().length);
  for (const el of fields) {
    const labelled = [...(el.labels || [])].some(l => l.textContent.trim())
      || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!labelled) problems.push(`field ${el.name || el.id} has no label`);
  }
  for (const img of document.images) {
    if (!img.alt) problems.push(`image ${img.src.slice(0, 40)} has no alt text`);
  }
  const focused = fields.indexOf(document.activeElement);
  const skipped = fields.slice(0, Math.max(focused, 0)).filter(el => !el.value);
  if (fields.length && (focused < 0 || skipped.length)) {
    problems.push(`focus is on ${document.activeElement.tagName}#${document.activeElement.id},`
                  + ` not on ${(skipped[0] || fields[0]).id}`);
  }
  const rgba = c => (c.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const behind = el => {
    for (; el; el = el.parentElement) {
      const c = rgba(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c;
    }
    return [255, 255, 255];
  };
  const ratioOf = (x, y) => {
    const [a, b] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (a + 0.05) / (b + 0.05);
  };
  for (const el of fields) {
    const edge = ratioOf(rgba(getComputedStyle(el).borderTopColor), behind(el.parentElement));
    if (edge < 3) problems.push(`field ${el.id} border contrast ${edge.toFixed(2)} < 3`);
  }
  for (const el of document.querySelectorAll("body *")) {
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
      || (el.tagName === "INPUT" && el.type !== "hidden" && el.value);
    if (!text || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    const ratio = ratioOf(rgba(style.color), behind(el));
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) {
      problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: ${el.tagName} `
                    + `"${el.textContent.trim().slice(0, 30)}"`);
    }
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: scripts/bootstrap.sh installs Debian's chromium "
                    "package (never `playwright install`)", pytrace=False)
    # Playwright's sync API keeps an asyncio loop marked as running on this thread, which
    # Django takes for an async context and refuses the ORM in: the test's own queries are
    # synchronous, so the check is lifted while the browser lives.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                 args=ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("COGNITO_SCREENSHOTS")
    directory = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class Tab:
    """A page of a fresh browser context and what happened in it."""

    page: Page
    screenshots: Path
    requests: list[str] = field(default_factory=list)
    #: Errors and warnings the page logged, with the URL each is about.
    console: list[tuple[str, str]] = field(default_factory=list)
    #: The status of every document the page loaded, by URL.
    documents: dict[str, int] = field(default_factory=dict)

    def screenshot(self, name: str) -> Path:
        path = self.screenshots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def problems(self) -> list[str]:
        """What the page shown fails of PROBLEMS' checks."""
        found: list[str] = self.page.evaluate(PROBLEMS)
        return found

    def check(self, name: str | None = None) -> None:
        """Assert the page shown passes PROBLEMS' checks; photograph it as ``name``, if given."""
        assert self.problems() == [], self.page.url
        if name is not None:
            self.screenshot(name)

    def overflow(self) -> int:
        """How many CSS pixels the page is wider than the viewport (0: no sideways scroll)."""
        width: int = self.page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth")
        return width

    def console_errors(self) -> list[str]:
        """What the page logged as an error or warning, but for two of Chromium's network
        notices that are no fault of a page: a document's own status (a form posted with a
        mistake comes back as a 400 on purpose; the test sees it) and the browser's own
        request of /favicon.ico, the host project's business."""
        return [text for text, url in self.console
                if not (text.startswith(NETWORK_NOTICE) and (
                    url in self.documents or urlsplit(url).path == "/favicon.ico"))]

    def origins(self) -> set[str]:
        """The origins of every request the page made (data: URLs excepted)."""
        return {origin(url) for url in self.requests if not url.startswith("data:")}


def open_tab(browser: Browser, screenshots: Path, **options: Any) -> tuple[BrowserContext, Tab]:
    """A new context (closed by the caller) and its page, recording requests and errors."""
    options.setdefault("viewport", DESKTOP)
    context = browser.new_context(locale="en-US", color_scheme="light", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    tab = Tab(page, screenshots)
    page.on("request", lambda request: _record(tab, request))
    page.on("response", lambda response: _document(tab, response))
    page.on("console", lambda message: _console(tab, message))
    page.on("pageerror", lambda error: tab.console.append((f"pageerror: {error}", "")))
    return context, tab


def _record(tab: Tab, request: Request) -> None:
    tab.requests.append(request.url)


def _document(tab: Tab, response: Response) -> None:
    if response.request.resource_type == "document":
        tab.documents[response.url] = response.status


def _console(tab: Tab, message: ConsoleMessage) -> None:
    if message.type in ("error", "warning"):
        tab.console.append((message.text, message.location.get("url", "")))


@pytest.fixture
def tab(chromium: Browser, screenshot_dir: Path, api_base: str,
        transactional_db: Any) -> Iterator[Tab]:
    """A desktop-sized page. Its context is closed at teardown, before the database is
    flushed: the live server shares the test's in-memory SQLite connection, so no browser
    connection may outlive the test."""
    context, opened = open_tab(chromium, screenshot_dir)
    yield opened
    context.close()
    # Queries made while Playwright's loop ran used connections of that context: closed here,
    # in it, or PostgreSQL keeps a session on the test database.
    connections.close_all()


@pytest.fixture
def mobile_tab(chromium: Browser, screenshot_dir: Path, api_base: str,
               transactional_db: Any) -> Iterator[Tab]:
    """A phone-sized page (375 CSS pixels wide, touch)."""
    context, opened = open_tab(chromium, screenshot_dir, viewport=MOBILE, is_mobile=True,
                               has_touch=True)
    yield opened
    context.close()
    # Queries made while Playwright's loop ran used connections of that context: closed here,
    # in it, or PostgreSQL keeps a session on the test database.
    connections.close_all()


class _App(BaseHTTPRequestHandler):
    """The client application: any path answers a small page naming where it is."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = (b"<!doctype html><html lang=en><title>Client app</title>"
                b"<link rel=icon href=data:,><p>The application.</p></html>")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def app_site() -> Iterator[str]:
    """The base URL of a client application on loopback that redirect URIs can point at:
    the browser lands on a real page there (Playwright's routes do not see redirects)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
