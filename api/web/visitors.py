"""Who is looking at a page: the signed-in person behind a session cookie, and CSRF checks.

A session is kept server-side (stores/sessions.py); the cookie holds only a random token, is
HttpOnly and SameSite=Lax. Every form carries the session's CSRF token in a hidden field
``csrf_token`` (htmx sends it as the ``X-CSRF-Token`` header); a write without it is refused.
The sign-in form, before any session exists, uses a double-submit cookie instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from api.deps import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    CsrfError,
    LedgerDep,
    require_csrf,
    session_of,
)
from domain.access import Actor
from domain.errors import BangfuError, NotAuthenticatedError
from stores.sessions import WebSession

__all__ = ["SESSION_COOKIE", "CsrfError", "require_csrf", "session_of"]

SIGN_IN_CSRF_COOKIE = "bangfu_sign_in_csrf"


class SignInRequiredError(NotAuthenticatedError):
    """The page needs a signed-in person."""


@dataclass(frozen=True)
class Visitor:
    """A signed-in person: the acting user and their session."""

    actor: Actor
    session: WebSession
    token: str

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token


def visitor(request: Request, ledger: LedgerDep) -> Visitor:
    """The signed-in person, or SignInRequiredError (pages answer it with the sign-in page)."""
    found = session_of(request)
    if found is None:
        raise SignInRequiredError("sign in to see this page")
    token, session = found
    try:
        actor = ledger.user(session.user_name)
    except BangfuError as error:
        raise SignInRequiredError("the user of this session no longer exists") from error
    signed_in = Visitor(actor, session, token)
    request.state.visitor = signed_in
    return signed_in


VisitorDep = Annotated[Visitor, Depends(visitor)]


def sent_csrf_token(request: Request, form: dict[str, object] | None) -> str:
    sent = request.headers.get(CSRF_HEADER) or ""
    if not sent and form is not None:
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    return sent


async def form_of(request: Request) -> dict[str, str]:
    """The submitted form as text fields (a file field becomes its name)."""
    form = await request.form()
    return {key: value if isinstance(value, str) else "" for key, value in form.items()}


async def checked_form(request: Request, visitor: VisitorDep) -> dict[str, str]:
    """The form of a page's write, once its CSRF token matches the visitor's session."""
    form = await form_of(request)
    require_csrf(visitor.csrf_token, sent_csrf_token(request, dict(form)))
    return form


FormDep = Annotated[dict[str, str], Depends(checked_form)]


def sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/app/sign-in?next={quote(target, safe='')}"


def safe_next(target: str | None) -> str:
    """Only a path of this app: never another host (an open redirect)."""
    if target and target.startswith("/app/") and not target.startswith("//"):
        return target
    return "/app/"
