"""Starlette's TestClient with each request served in one call into its event loop.

Starlette's transport crosses from the test's thread into the client's event loop thread
eight or more times a request (events, a memory stream, a cancel scope, the task, each body
chunk), about 1.5 ms of thread hand-offs on these machines, paid by every request of the
suite. This transport builds the same ASGI scope and runs the whole exchange in one call:
the application gets the request body, its answer (status, headers, every body chunk, the
template debug extension) is collected, and an exception it raises is raised in the test as
Starlette's `raise_server_exceptions` does. The lifespan, cookies, redirects and the portal
are Starlette's own. The one difference: a streamed answer reaches the test whole, after the
application has finished sending it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import anyio
import httpx2 as httpx  # what starlette.testclient speaks
from starlette.testclient import TestClient as StarletteTestClient
from starlette.testclient import _TestClientTransport
from starlette.types import Message, Scope


@dataclass
class _Answer:
    """What the application sent, collected in the event loop."""

    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)
    debug: dict[str, Any] | None = None
    trailers: list[tuple[bytes, bytes]] = field(default_factory=list)
    error: BaseException | None = None


class OneHopTransport(_TestClientTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme in {"ws", "wss"}:
            return super().handle_request(request)
        scope = self._scope(request)
        body = request.read()
        with self.portal_factory() as portal:
            answer: _Answer = portal.call(self._exchange, scope, body)
        if answer.error is not None and self.raise_server_exceptions:
            raise answer.error
        if answer.status is None:
            if self.raise_server_exceptions:
                raise AssertionError("TestClient did not receive any response.")
            answer.status = 500
        content = b"" if request.method == "HEAD" else b"".join(answer.chunks)
        # A stream, not `content=`: httpx would add a Content-Length the application never sent.
        response = httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=httpx.ByteStream(content),
            request=request,
        )
        if answer.trailers:
            response.extensions["http.response.trailers"] = answer.trailers
        if answer.debug is not None:
            response.extensions["http.response.debug"] = answer.debug
            if "template" in answer.debug:
                response.template = answer.debug["template"]  # type: ignore[attr-defined]
            if "context" in answer.debug:
                response.context = answer.debug["context"]  # type: ignore[attr-defined]
        return response

    def _scope(self, request: httpx.Request) -> Scope:
        """The scope Starlette's transport builds for an HTTP request."""
        port = request.url.port or {"http": 80, "https": 443}[request.url.scheme]
        headers: list[tuple[bytes, bytes]] = (
            [] if "host" in request.headers else [(b"host", request.url.netloc)]
        )
        headers += [(k.lower().encode(), v.encode()) for k, v in request.headers.multi_items()]
        return {
            "type": "http",
            "http_version": "1.1",
            "method": request.method,
            "path": unquote(request.url.path),
            "raw_path": request.url.raw_path.split(b"?", 1)[0],
            "root_path": self.root_path,
            "scheme": request.url.scheme,
            "query_string": request.url.query,
            "headers": headers,
            "client": self.client,
            "server": [request.url.raw_host.decode("ascii"), port],
            "extensions": {"http.response.debug": {}, "http.response.trailers": {}},
            "state": self.app_state.copy(),
        }

    async def _exchange(self, scope: Scope, body: bytes) -> _Answer:
        answer = _Answer()
        finished = anyio.Event()
        asked = False

        async def receive() -> Message:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": body}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                assert answer.status is None, 'Received multiple "http.response.start" messages.'
                answer.status = message["status"]
                answer.headers = [(k.decode(), v.decode()) for k, v in message.get("headers", [])]
            elif kind == "http.response.body":
                assert answer.status is not None, 'Received "http.response.body" first.'
                answer.chunks.append(bytes(message.get("body", b"")))
            elif kind == "http.response.trailers":
                answer.trailers.extend(message.get("headers", []))
            elif kind == "http.response.debug":
                answer.debug = message["info"]

        try:
            await self.app(scope, receive, send)
        except BaseException as exc:  # raised in the test's thread, as Starlette's does
            answer.error = exc
        finally:
            finished.set()
        return answer


class TestClient(StarletteTestClient):
    """Starlette's TestClient on `OneHopTransport`."""

    __test__ = False

    def __init__(self, app: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(app, *args, **kwargs)
        old = self._transport
        assert isinstance(old, _TestClientTransport)
        self._transport = OneHopTransport(
            old.app,
            portal_factory=old.portal_factory,
            raise_server_exceptions=old.raise_server_exceptions,
            root_path=old.root_path,
            app_state=old.app_state,
            client=old.client,
        )
