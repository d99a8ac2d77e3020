"""/docs: the API's documentation (Swagger UI), its script and style served from the
``swagger-ui-bundle-v2`` package rather than a CDN, so that it works with no internet."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

__all__ = ["ASSETS", "DOCS", "docs_page", "router"]

DOCS = "/docs"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
_FOLDER = Path(str(swagger_ui_path))

router = APIRouter(include_in_schema=False)


def docs_page(title: str, openapi_url: str) -> str:
    """The page FastAPI would serve at /docs, its assets from this service."""
    page = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{title}: API",
        swagger_js_url=f"{DOCS}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS}/swagger-ui.css",
        swagger_favicon_url=f"{DOCS}/favicon-32x32.png",
    )
    return bytes(page.body).decode("utf-8")


@router.get(DOCS, response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    return HTMLResponse(docs_page(request.app.title, request.app.openapi_url))


@router.get(DOCS + "/{name}")
def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404, f"no such file: {name}")
    return FileResponse(
        _FOLDER / name, media_type=ASSETS[name], headers={"Cache-Control": "max-age=86400"}
    )
