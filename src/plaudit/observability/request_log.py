"""Every request gets an id, answered in `X-Request-Id`, carried by each log line written
while it is served, and timed into the request histogram.

A client's own `X-Request-Id` is kept when it is a sensible token (a proxy or a caller may
trace a request across services); anything else is replaced, so that a log line never
carries what a client chose to inject.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plaudit.kit.metrics import REQUEST_SECONDS

REQUEST_ID_HEADER = "X-Request-Id"
_SENSIBLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_id: ContextVar[str | None] = ContextVar("plaudit_request_id", default=None)
access_logger = logging.getLogger("plaudit.access")


def incoming_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text: str = value.decode("latin-1")
            if _SENSIBLE_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex


def route_of(scope: Scope) -> str:
    """The route template (`/api/v1/members/{member_id}`), never the raw path: one label
    value per route, whatever ids are asked for.

    The matched route's own path may lack the prefixes of the routers it was included in
    (newer FastAPI keeps included routers apart); those prefixes are fixed segments, so they
    are the request path's leading segments before the template's own."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str) or not template:
        return "unmatched"
    if getattr(route, "methods", None) is None:  # a mount (static files): one label for all
        return template.rstrip("/") + "/{path}"
    segments = [s for s in scope["path"].split("/") if s]
    own = [s for s in template.split("/") if s]
    extra = len(segments) - len(own)
    if extra <= 0:
        return template
    return "/" + "/".join(segments[:extra] + own)


class RequestLogMiddleware:
    """Pure ASGI, outermost: an answer of every layer (admission, errors) carries the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = incoming_id(scope)
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_of(scope)
            REQUEST_SECONDS.labels(scope["method"], route, str(status)).observe(seconds)
            access_logger.info(
                "%s %s %d",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )
            request_id.reset(token)
