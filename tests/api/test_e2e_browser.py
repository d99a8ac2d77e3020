"""End to end in a real browser: `domcare serve` started as a user would, the coordinator
page driven in headless Chromium (Debian's, /usr/bin/chromium) with Playwright: a rota for
scenarios/small requested from the page, its map and timeline drawn. A screenshot is kept in
``test-artifacts/`` (or ``DOMCARE_TEST_ARTIFACTS``).

Skipped, saying why, where Chromium or Playwright is not installed; ``.ci/run`` installs both.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.keys import Role
from tests.api.conftest import make_keys

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (Debian's chromium package)"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(address, coordinator key) of `domcare serve` on a free port with a fresh database."""
    database = f"sqlite:///{tmp_path / 'domcare.db'}"
    key = make_keys(database)[Role.COORDINATOR]
    port = _free_port()
    env = {**os.environ, "DOMCARE_DATABASE_URL": database, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "scheduler.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{address}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("domcare serve did not start") from None
                time.sleep(0.3)
        yield address, key
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_rota_for_small_is_requested_and_shown_in_the_browser(
    served: tuple[str, str],
) -> None:
    address, key = served
    artifacts = Path(os.environ.get("DOMCARE_TEST_ARTIFACTS", ROOT / "test-artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    external: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            # Offline: any request leaving this server is refused and recorded.
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(address)
                    else (external.append(route.request.url), route.abort())
                ),
            )
            page.goto(address + "/")
            assert page.locator("body").get_attribute("data-state") == "idle"
            page.fill("#api-key", key)
            page.locator("#api-key").press("Tab")
            page.wait_for_selector("#scenario option[value='small']", state="attached")
            page.select_option("#scenario", "small")
            page.fill("#time-limit", "5")
            page.click("#request")
            page.wait_for_selector("body[data-state='done']", timeout=120_000)
            assert page.locator("#map svg polyline.run").count() > 0
            assert page.locator("#timeline svg g.row").count() > 0
            assert "60" in page.locator("#kpis").inner_text()  # 60 visits in small
            page.screenshot(path=str(artifacts / "e2e-small.png"), full_page=True)
        finally:
            browser.close()
    assert external == []
