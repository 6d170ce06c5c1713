"""The suite's TestClient (tests/one_hop_client.py) answers as Starlette's does: the same
status, headers, body, template debug information and raised exceptions, for JSON, form,
streamed, templated, HEAD and failing requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, StreamingResponse
from fastapi.templating import Jinja2Templates
from starlette.testclient import TestClient as StarletteTestClient

from tests.one_hop_client import TestClient


class Boom(Exception):
    pass


def make_app(templates_dir: Path) -> FastAPI:
    (templates_dir / "hello.html").write_text("<p>Hello {{ name }}</p>")
    templates = Jinja2Templates(directory=str(templates_dir))
    app = FastAPI()

    @app.get("/json")
    def as_json(q: str = "", n: int = 0) -> dict[str, Any]:
        return {"q": q, "n": n}

    @app.post("/echo")
    async def echo(request: Request) -> PlainTextResponse:
        body = await request.body()
        return PlainTextResponse(
            body.decode() + "|" + request.headers.get("content-type", ""),
            status_code=201,
            headers={"X-Seen": request.url.path, "Set-Cookie": "flavour=plain; Path=/"},
        )

    @app.get("/stream")
    def stream() -> StreamingResponse:
        return StreamingResponse((f"line {i}\n" for i in range(5)), media_type="text/csv")

    @app.get("/page")
    def page(request: Request) -> Any:
        return templates.TemplateResponse(request, "hello.html", {"name": "Ada"})

    @app.get("/boom")
    def boom() -> None:
        raise Boom("the application failed")

    return app


@pytest.fixture
def clients(tmp_path: Path) -> Iterator[tuple[StarletteTestClient, TestClient]]:
    app = make_app(tmp_path)
    with StarletteTestClient(app) as theirs, TestClient(app) as ours:
        yield theirs, ours


REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/json?q=caf%C3%A9&n=3", {}),
    ("GET", "/json?n=x", {}),
    ("POST", "/echo", {"json": {"a": 1}}),
    ("POST", "/echo", {"data": {"name": "Ada Lovelace"}}),
    ("GET", "/stream", {}),
    ("HEAD", "/json", {}),
    ("GET", "/missing", {}),
    ("DELETE", "/json", {}),
]


@pytest.mark.parametrize(("method", "url", "kwargs"), REQUESTS)
def test_answers_as_starlettes_client(
    clients: tuple[StarletteTestClient, TestClient], method: str, url: str, kwargs: dict[str, Any]
) -> None:
    theirs, ours = clients
    expected = theirs.request(method, url, **kwargs)
    got = ours.request(method, url, **kwargs)
    assert got.status_code == expected.status_code
    assert got.headers.multi_items() == expected.headers.multi_items()
    assert got.content == expected.content
    assert dict(ours.cookies) == dict(theirs.cookies)


def test_a_template_answer_carries_its_template_and_context(
    clients: tuple[StarletteTestClient, TestClient],
) -> None:
    theirs, ours = clients
    expected, got = theirs.get("/page"), ours.get("/page")
    assert got.text == expected.text == "<p>Hello Ada</p>"
    assert got.template.name == expected.template.name == "hello.html"  # type: ignore[attr-defined]
    assert got.context["name"] == expected.context["name"] == "Ada"  # type: ignore[attr-defined]


def test_an_application_error_is_raised_in_the_test(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    with TestClient(app) as ours, pytest.raises(Boom, match="the application failed"):
        ours.get("/boom")
    with TestClient(app, raise_server_exceptions=False) as ours:
        answer = ours.get("/boom")
    with StarletteTestClient(app, raise_server_exceptions=False) as theirs:
        expected = theirs.get("/boom")
    assert answer.status_code == expected.status_code == 500
    assert answer.content == expected.content
