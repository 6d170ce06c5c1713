"""Refuse request bodies above a size limit with 413 before they are read into memory."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plaudit.http.problems import PROBLEM_JSON


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a body without Content-Length (chunked) streams past the
    limit. An HTTPException, so that FastAPI's body parsing passes it on (any other error there
    becomes a 400) and the problem handlers answer 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=_too_large(limit))


class BodyLimitMiddleware:
    """Pure ASGI middleware: checks Content-Length, then counts streamed bytes as they arrive."""

    def __init__(
        self, app: ASGIApp, *, default_limit: int, overrides: Sequence[tuple[str, int]] = ()
    ) -> None:
        self.app = app
        self.default_limit = default_limit
        self.overrides = [(re.compile(pattern), limit) for pattern, limit in overrides]

    def limit_for(self, path: str) -> int:
        for pattern, limit in self.overrides:
            if pattern.search(path):
                return limit
        return self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await _send_413(send, limit)
                    return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await _send_413(send, limit)


def _too_large(limit: int) -> str:
    return f"The request body is larger than the limit of {limit} bytes."


async def _send_413(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "status": 413,
            "title": "Payload too large",
            "detail": _too_large(limit),
            "code": "payload_too_large",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
