"""The page helper: the template environment, `render`, flash messages and `page_router`.

A page is a function on a router made by `page_router()` (CSRF checked on every unsafe
request, kept out of the OpenAPI document) that returns `render(request, "x.html", ...)`.
Every template gets: `user` (a WebUser or None), `nav` (the pages the user's role may open),
`menu` (the same, grouped as the header shows them),
`csrf_field()`, `static(path)`, `flashes`, `org` (the organisation's colours) and `title`.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request

from plaudit import __version__
from plaudit.domain.origins import ORIGIN_LABELS
from plaudit.web.csrf import CSRF_FIELD, csrf_token, verify_csrf
from plaudit.web.forms.common import describe_field, field_errors
from plaudit.web.icons import render_icon
from plaudit.web.nav import menu_for, nav_for
from plaudit.web.numbers import format_number
from plaudit.web.user import SESSION_FLASH, WebUser

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
STATIC_PREFIX = "/static"
FlashKind = Literal["success", "info", "error"]


def page_router() -> APIRouter:
    """A router for pages: CSRF verified on every unsafe method, hidden from the API docs."""
    return APIRouter(
        include_in_schema=False,
        default_response_class=HTMLResponse,
        dependencies=[Depends(verify_csrf)],
    )


@cache
def _asset_version(path: str) -> str:
    file = (STATIC_DIR / path).resolve()
    if not file.is_relative_to(STATIC_DIR.resolve()) or not file.is_file():
        raise ValueError(f"no static file {path!r}")
    return hashlib.sha256(file.read_bytes()).hexdigest()[:10]


def static(path: str) -> str:
    """URL of a file under static/, with a content hash so browsers never keep a stale copy."""
    return f"{STATIC_PREFIX}/{path}?v={_asset_version(path)}"


def build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static"] = static
    env.globals["field_errors"] = field_errors
    env.globals["describe_field"] = describe_field
    env.globals["version"] = __version__
    env.globals["origin_labels"] = ORIGIN_LABELS
    env.globals["icon"] = render_icon
    env.filters["number"] = format_number
    return env


def flash(
    request: Request,
    message: str,
    kind: FlashKind = "success",
    *,
    link: tuple[str, str] | None = None,
) -> None:
    """A message shown once, on the next page rendered for this session; `link` (a local
    URL and its text) is shown after it."""
    messages = list(request.session.get(SESSION_FLASH) or [])
    entry = {"kind": kind, "message": message}
    if link is not None:
        entry["href"], entry["link"] = link
    messages.append(entry)
    request.session[SESSION_FLASH] = messages[-5:]


def _take_flashes(request: Request) -> list[dict[str, str]]:
    messages = request.session.pop(SESSION_FLASH, None) or []
    return [m for m in messages if isinstance(m, dict)]


def render(
    request: Request,
    template: str,
    *,
    title: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a page template with the context every page shares (see the module docstring)."""
    env: Environment = request.app.state.web_templates
    user: WebUser | None = getattr(request.state, "web_user", None)

    def csrf_field() -> Markup:
        token = escape(csrf_token(request))
        return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">')  # noqa: S704

    html = env.get_template(template).render(
        request=request,
        title=title,
        user=user,
        nav=nav_for(user.role if user else None),
        menu=menu_for(user.role if user else None),
        path=request.url.path,
        csrf_field=csrf_field,
        csrf_token=lambda: csrf_token(request),
        flashes=_take_flashes(request),
        org=request.app.state.web_org,
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers=headers)
