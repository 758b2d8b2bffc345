"""Signing a TestClient in to the web app as a named user, as a browser would."""

from __future__ import annotations

import contextlib
import re
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.access import SYSTEM
from domain.application import Ledger
from domain.errors import UserExistsError
from domain.vocabulary import Role

PASSWORD = "correct-horse-battery"
ON_POSTGRES = pytest.mark.parametrize("store_url", ["postgres"], indirect=True)
"""Page tests run on PostgreSQL only: a page reads through the same use cases and views as the
API, whose tests cover both stores, and the browser tests (tests/browser/) serve every page from
the embedded SQLite store of `bangfu serve --demo`."""


def found_in(html: str, pattern: str, missing: str) -> str:
    """The first group of the first match of ``pattern`` in a page (``.`` matching line ends
    too); the test fails saying what is ``missing`` when nothing matches."""
    found = re.search(pattern, html, re.S)
    assert found, missing
    return found.group(1)


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    return found_in(
        html, r'name="csrf_token" value="([^"]+)"', "the page has no form with a CSRF token"
    )


def web_sign_in(
    client: TestClient,
    ledger: Ledger,
    name: str,
    role: Role = Role.ADMIN,
    centre: UUID | str | None = None,
) -> str:
    """Add the user (if new) with a password, sign in through the form; returns the session's
    CSRF token for the forms that follow."""
    with contextlib.suppress(UserExistsError):
        ledger.add_user(SYSTEM, name, role, UUID(str(centre)) if centre else None)
    ledger.set_password(SYSTEM, name, PASSWORD)
    client.cookies.clear()
    form = client.get("/app/sign-in")
    signed_in = client.post(
        "/app/sign-in",
        data={"name": name, "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303, signed_in.text
    return csrf_of(client.get("/app/account").text)
