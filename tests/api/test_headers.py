"""Security headers: every answer is never sniffed or framed and sends no referrer; answers
under /v1 (plans, rota.csv, maps, reports) are never cached; each HTML answer has a
Content-Security-Policy that lets it do what it needs and no more. /docs works with no
internet: Swagger UI's files come from this service, as a real browser shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.headers import DOCUMENT_POLICY, MAP_POLICY, inline_script_hashes
from api.keys import Role
from api.store import Document, JobKind, JobStore
from tests.api.conftest import FAST, Service, domcare_serve, make_keys

CHROMIUM = Path("/usr/bin/chromium")
ALWAYS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


def _policy(answer: Any) -> dict[str, str]:
    """The answer's CSP as directive -> sources."""
    found = {}
    for part in answer.headers["content-security-policy"].split(";"):
        name, _, sources = part.strip().partition(" ")
        found[name] = sources
    return found


@pytest.mark.parametrize("path", ["/", "/docs", "/healthz", "/openapi.json", "/v1/rotas/x"])
def test_every_answer_is_not_sniffed_framed_or_referred(held: Service, path: str) -> None:
    answer = held.client.get(path)
    assert {k: answer.headers.get(k) for k in ALWAYS} == ALWAYS
    assert answer.headers["x-frame-options"] == "DENY"


def test_the_page_runs_only_its_own_inline_script(held: Service) -> None:
    answer = held.client.get("/")
    policy = _policy(answer)
    [script] = inline_script_hashes(answer.text)
    assert policy["script-src"] == f"'self' {script}"
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["connect-src"] == "'self'"
    assert "https:" not in answer.headers["content-security-policy"]


def test_docs_come_from_this_service(held: Service) -> None:
    page = held.client.get("/docs")
    assert page.status_code == 200 and "https://" not in page.text
    assert inline_script_hashes(page.text)[0] in _policy(page)["script-src"]
    for name, kind in [("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css")]:
        assert f"/docs/{name}" in page.text
        asset = held.client.get(f"/docs/{name}")
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(kind)
        assert len(asset.content) > 10_000
    assert held.client.get("/docs/..%2Fpyproject.toml").status_code == 404
    assert held.client.get("/redoc").status_code == 404  # ReDoc needs a CDN: not offered


def _done_rota(held: Service) -> dict[str, Any]:
    accepted = held.client.post(
        "/v1/rotas", json={"shipped": "small", "options": FAST}, headers=held.as_(Role.COORDINATOR)
    )
    assert held.executor is not None
    held.executor.run_all()
    job = held.wait(accepted.headers["Location"])
    assert job["status"] == "done", job["error"]
    return job


def test_answers_with_personal_data_are_never_cached(held: Service) -> None:
    job = _done_rota(held)
    viewer = held.as_(Role.VIEWER)
    links = job["links"]
    for path in (links["self"], links["plan_json"], links["rota_csv"], links["map"]):
        answer = held.client.get(path, headers=viewer)
        assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store", path
    for picture in ("map.svg", "timeline.svg"):
        answer = held.client.get(f"{links['self']}/{picture}", headers=viewer)
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"
    listed = held.client.get("/v1/scenarios", headers=viewer)
    assert listed.headers["cache-control"] == "no-store"


def test_the_map_may_load_leaflet_and_a_report_no_script(held: Service) -> None:
    job = _done_rota(held)
    viewer = held.as_(Role.VIEWER)
    assert held.client.get(job["links"]["map"], headers=viewer).headers[
        "content-security-policy"
    ] == MAP_POLICY
    # A comparison's report, stored as a worker stores it.
    store: JobStore = held.client.app.state.services.store  # type: ignore[attr-defined]
    comparison = store.create(JobKind.COMPARE, {}, {}, {})
    assert store.hold([comparison.id], "test", 60) == [comparison.id]
    assert store.claim(comparison.id, "w", "test")
    assert store.finish(
        comparison.id, "w", {}, [Document("report.html", "text/html", "<p>report</p>")]
    )
    report = held.client.get(f"/v1/compare/{comparison.id}/report", headers=viewer)
    assert report.headers["content-security-policy"] == DOCUMENT_POLICY
    assert "script-src" not in DOCUMENT_POLICY and report.headers["cache-control"] == "no-store"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """The address of `domcare serve` on a free port with a fresh database."""
    database = f"sqlite:///{tmp_path / 'domcare.db'}"
    make_keys(database)
    with domcare_serve(database) as address:
        yield address


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}")
def test_docs_and_the_page_work_offline_under_their_policies(served: str) -> None:
    """Swagger UI draws every operation with nothing from the internet, and neither page
    breaks its Content-Security-Policy (Chromium reports a violation on the console)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    console: list[str] = []
    external: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("console", lambda message: console.append(message.text))
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(served)
                    else (external.append(route.request.url), route.abort())
                ),
            )
            page.goto(served + "/docs")
            page.wait_for_selector(".opblock", timeout=30_000)
            assert page.locator(".opblock").count() >= 18
            page.goto(served + "/")
            page.wait_for_selector("#rota-form")
            page.wait_for_timeout(500)
        finally:
            browser.close()
    assert external == []
    assert [text for text in console if "Content Security Policy" in text] == []
