"""Security headers on every answer: never sniffed, never framed, no referrer, personal data
never cached, and each HTML answer with a Content-Security-Policy that lets it do only what it
needs.

Three kinds of HTML: pages with a script of their own (the coordinator's page, /docs), each
allowed exactly its inline scripts by their SHA-256 and nothing from another site; the map
(the command line's map.html: Leaflet inside the page, street tiles from OpenStreetMap); and
documents (reports), which run no script at all.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "DOCUMENT_POLICY",
    "MAP_POLICY",
    "SecurityHeaders",
    "inline_script_hashes",
    "page_policy",
]

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.I)
_NOT_FRAMED = "frame-ancestors 'none'; base-uri 'none'"

DOCUMENT_POLICY = (
    f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; {_NOT_FRAMED}; "
    "form-action 'none'"
)
"""A report: its own style and inline pictures, no script."""
MAP_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    f"img-src data: https://tile.openstreetmap.org; {_NOT_FRAMED}; form-action 'none'"
)
"""The map: Leaflet and its pictures inside the page (``scheduler.render.maps``), nothing from
another site but OpenStreetMap's street tiles."""
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
PRIVATE_PREFIX = "/v1/"
"""Every answer under /v1 may hold personal data (plans, rota.csv, maps, reports, job
state): never stored by a browser or a proxy."""


def inline_script_hashes(html: str) -> list[str]:
    """The CSP source of each inline script of ``html`` (``'sha256-...'``)."""
    return [
        "'sha256-"
        + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


def page_policy(html: str) -> str:
    """A page of this service: its own inline scripts and this site's, nothing else's."""
    scripts = " ".join(["'self'", *inline_script_hashes(html)])
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        f"{_NOT_FRAMED}; form-action 'self'"
    )


def _html_policy(path: str, pages: Mapping[str, str]) -> str:
    if path in pages:
        return pages[path]
    if path.startswith("/v1/rotas/") and path.endswith("/map"):
        return MAP_POLICY
    return DOCUMENT_POLICY


class SecurityHeaders:
    """Adds ``ALWAYS`` to every answer, ``Cache-Control: no-store`` under /v1, and to an
    HTML answer the policy of its path (``pages``: path -> policy) or of its kind."""

    def __init__(self, app: ASGIApp, pages: Mapping[str, str]):
        self.app, self.pages = app, dict(pages)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                if path.startswith(PRIVATE_PREFIX):
                    headers.setdefault("Cache-Control", "no-store")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Content-Security-Policy", _html_policy(path, self.pages))
            await send(message)

        await self.app(scope, receive, sending)
