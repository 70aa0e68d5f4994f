"""Headless Chromium (the system's Debian build, driven by playwright) renders the site offline."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.book.conftest import SCREENSHOTS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book")]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {"index": "intro.html", "chapter": "chapters/05_optimizers/index.html"}


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(book):
    assert book.returncode == 0, book.output[-3000:]
    handler = functools.partial(QuietHandler, directory=str(book.html))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail("the system Chromium (/usr/bin/chromium) is missing: run `make system`")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_renders_offline_with_math_and_no_errors(site, browser, name):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems, remote = [], []
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console.{message.type}: {message.text}")
            # a failed load is reported, with its URL, by the "response" handler below
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on(
        "request",
        lambda request: (
            remote.append(request.url)
            if not request.url.startswith((site, "data:", "blob:", "about:"))
            else None
        ),
    )
    page.goto(f"{site}/{PAGES[name]}", wait_until="load")
    page.wait_for_selector("mjx-container", state="attached", timeout=30_000)
    page.wait_for_load_state("networkidle")
    rendered = page.locator("mjx-container").count()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(shot))
    page.close()

    assert rendered >= 1, f"{name}: MathJax rendered no math"
    assert problems == [], f"{name}: " + "\n".join(problems)
    assert remote == [], f"{name} fetched from other hosts: {remote}"
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.std() > 10, f"{shot} looks blank (pixel std {pixels.std():.1f})"
    assert (pixels < 128).mean() > 0.005, f"{shot} has almost no dark pixels (no text?)"
