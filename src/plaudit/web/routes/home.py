"""The home page: the pages the signed-in user's role may open."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from plaudit.web.access import SignedIn
from plaudit.web.pages import page_router, render

router = page_router()


@router.get("/")
def home(request: Request, user: SignedIn) -> Response:
    return render(request, "pages/home.html", title="Plaudit")
