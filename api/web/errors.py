"""Errors on pages: the problem of the JSON API, shown as a page in the visitor's language.

``api.problems`` renders every error; for a page (a path under /app/) it asks this module, so
the mapping of errors to statuses and problem types stays in one place."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from api.web.templating import render
from api.web.visitors import sign_in_url

PAGES = "/app"


def is_page(request: Request) -> bool:
    path = request.url.path
    return path == PAGES or path.startswith(PAGES + "/")


def error_page(request: Request, status: int, kind: str, title: str, detail: str) -> Response:
    """The sign-in page for a visitor who is not signed in; otherwise an error page."""
    if status == 401 and not request.url.path.startswith(PAGES + "/sign-in"):
        return RedirectResponse(sign_in_url(request), status_code=303)
    context = {"status": status, "kind": kind, "title": title, "detail": detail}
    return render(request, "error.html", context, status=status)
