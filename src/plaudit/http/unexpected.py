"""An error no handler took is answered here, as a complete response on a kept connection.

Starlette leaves such an error (the `Exception` handler's, a 500) to its outermost
ServerErrorMiddleware, which sends the handler's answer and then raises the error again so
that the server logs it; uvicorn, seeing an error after the answer started, closes the
connection. This middleware, inside that one, answers with the same handler and does not
raise (the handler logs the error), so the client keeps its connection.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ErrorHandler = Callable[[Request, Exception], Response | Awaitable[Response]]


class UnexpectedErrorMiddleware:
    """Pure ASGI middleware; `handler()` gives the handler to answer with, looked up per error
    so that handlers wrapped later (the web pages') are the ones used."""

    def __init__(self, app: ASGIApp, *, handler: Callable[[], ErrorHandler]) -> None:
        self.app = app
        self.handler = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise  # half an answer is out: only closing the connection can end it
            answer = self.handler()(Request(scope, receive), exc)
            response = await answer if inspect.isawaitable(answer) else answer
            await response(scope, receive, send)
