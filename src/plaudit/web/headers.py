"""Security headers for pages: a strict Content-Security-Policy (no inline or third-party
script), no framing, no sniffing, no caching of pages that show a user's data.

Embed pages (under /embed/) are the one exception to "no framing": the sites of
PLAUDIT_EMBED_ALLOWED_ORIGINS may frame them (`frame-ancestors` lists exactly those, and no
X-Frame-Options is sent, since DENY would override it in older browsers). With no origin
configured they are refused framing like every other page.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plaudit.web.errors import is_page_path

EMBED_PREFIX = "/embed/"
_CSP_BASE = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
)
PAGE_CSP = _CSP_BASE + "frame-ancestors 'none'"
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def embed_headers(origins: Sequence[str]) -> dict[str, str]:
    """The headers of embed pages: framing by `origins` only (none: by no one)."""
    if not origins:
        return PAGE_HEADERS
    headers = {k: v for k, v in PAGE_HEADERS.items() if k != "X-Frame-Options"}
    # 'self' too: the Embed page previews the link it made in a frame of its own.
    ancestors = " ".join(("'self'", *origins))
    headers["Content-Security-Policy"] = _CSP_BASE + "frame-ancestors " + ancestors
    return headers


class PageHeadersMiddleware:
    """Pure ASGI middleware; a response that sets one of these headers itself keeps its own."""

    def __init__(self, app: ASGIApp, embed_origins: Sequence[str] = ()) -> None:
        self.app = app
        self.embed = embed_headers(embed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        wanted = self.embed if scope["path"].startswith(EMBED_PREFIX) else PAGE_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    headers.setdefault(name, value)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
