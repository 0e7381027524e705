"""Browser fixtures: the real app served by uvicorn, driven by real Chromium, checked with axe-core.

Browsers are never downloaded: Playwright launches the system Chromium. Without it these tests are
skipped, unless CHORUS_REQUIRE_BROWSER=1 (set by .ci/run), which turns a missing browser into a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# axe-core rules for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium_path() -> str | None:
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return next((c for c in CHROMIUM_CANDIDATES if Path(c).exists()), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {process.stderr.read() if process.stderr else ''}")
        try:
            with urlopen(url, timeout=2):
                return
        except (URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
        except Exception:  # an HTTP error status still means it is serving
            return
    raise RuntimeError(f"server at {url} did not start within {timeout}s")


class LiveServer:
    """The app in a child process on a free loopback port: uvicorn with the app factory, quiet, or
    with `chorus=True` the real `chorus run` as production starts it, logging every request."""

    def __init__(self, env: dict[str, str], *, chorus: bool = False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**env, "CHORUS_PUBLIC_URL": self.url}  # links and allowed hosts follow the address served
        self.log = tempfile.TemporaryFile()
        if chorus:
            command = [sys.executable, "-m", "app", "run", "--host", "127.0.0.1", "--port", str(self.port)]
        else:
            command = [sys.executable, "-m", "uvicorn", "app.asgi:create_app", "--factory",
                       "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(self.url + "/health", self.process)
        except RuntimeError:
            self.stop()
            raise

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test` runs -n auto --dist loadgroup), every test that needs the
    served app or Chromium runs on one worker: one server and one browser for the run. Measured on
    2 cores, a server and a browser per worker made the suite slower (924 s against 642 s)."""
    for item in items:
        if {"live_server", "chromium"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("live_server"))


@pytest.fixture(scope="session")
def live_server(migrated_database: str) -> Iterator[LiveServer]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    # Every browser test signs in from 127.0.0.1: lift the per-address limit for this server only.
    env["SIGN_IN_RATE_LIMIT_PER_MINUTE"] = "10000"
    server = LiveServer(env)
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def chromium():
    path = chromium_path()
    if path is None:
        if os.environ.get("CHORUS_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (CHORUS_REQUIRE_BROWSER=1) but was not found: apt-get install chromium")
        pytest.skip("Chromium not installed (apt-get install chromium); browser tests skipped")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


class OffSiteRequests:
    """Records every request a page makes to a host other than the live server, and blocks it."""

    def __init__(self, server_url: str):
        self.allowed = urlsplit(server_url).netloc
        self.blocked: list[str] = []

    async def __call__(self, route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == self.allowed or url.startswith(("data:", "about:")):
            await route.continue_()
        else:
            self.blocked.append(url)
            await route.fulfill(status=200, content_type="text/html", body="<title>Elsewhere</title><p>Elsewhere</p>")


@pytest.fixture
async def page(chromium, live_server: LiveServer):
    """A fresh browser context on a phone-sized screen; off-site requests are blocked and recorded."""
    context = await chromium.new_context(viewport={"width": 360, "height": 640}, base_url=live_server.url)
    off_site = OffSiteRequests(live_server.url)
    await context.route("**/*", off_site)
    browser_page = await context.new_page()
    browser_page.off_site = off_site
    yield browser_page
    await context.close()


async def assert_accessible(page) -> None:
    """Fail on any WCAG 2.x A/AA violation that axe-core finds in the page as it is now."""
    from axe_playwright_python.async_playwright import Axe

    # A page can be found by its text before its stylesheet has loaded; checked unstyled, its links
    # are smaller than the 24 px touch targets WCAG 2.2 asks for (a flake on a busy machine).
    await page.wait_for_load_state("load")
    results = await Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    violations = results.response["violations"]
    assert not violations, "axe found WCAG A/AA violations on " + page.url + ":\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}" for v in violations
    )
