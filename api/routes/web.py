"""/: the coordinator's page. It holds no data, so it needs no key; everything it shows it
fetches from /v1 with the key the coordinator pastes in (kept in the tab's sessionStorage),
and the rota job it shows is kept in the address (``/#rota=<id>``), so a reload shows it again.

One file, its style and script inline, nothing from the internet: the page works offline.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

__all__ = ["router"]

router = APIRouter(tags=["web"])


@cache
def _page() -> str:
    return files("api").joinpath("web", "index.html").read_text(encoding="utf-8")


@router.get("/", include_in_schema=False, response_class=HTMLResponse)
def page() -> HTMLResponse:
    return HTMLResponse(_page())
