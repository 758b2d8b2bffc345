"""What the households pages share: what a page works with (a Desk), centre pickers, the context
of a write made from a form, and a refusal of the ledger said in the visitor's language."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request

from api.deps import LedgerDep, ViewsDep
from api.problems import slug
from api.web.i18n import Translator, language_of
from api.web.messages import MESSAGES
from api.web.visitors import Visitor, VisitorDep
from domain.access import GRANTS, Actor, Permission
from domain.application import Ledger
from domain.centres import Centre
from domain.errors import BangfuError
from domain.money import display_yuan, parse_yuan
from domain.writes import Context
from projections import Views
from projections.audit import named_aggregates

FORM_KEY = "form_key"  # a hidden field: the form's idempotency key (a double submit writes once)


@dataclass(frozen=True)
class Desk:
    """What a households page works with: the request, its visitor, the ledger and the views."""

    request: Request
    visitor: Visitor
    ledger: Ledger
    views: Views


def desk(request: Request, visitor: VisitorDep, ledger: LedgerDep, views: ViewsDep) -> Desk:
    """The request, its visitor, the ledger and the views, asked for as one dependency."""
    return Desk(request, visitor, ledger, views)


DeskDep = Annotated[Desk, Depends(desk)]


def may(actor: Actor, permission: Permission) -> bool:
    """Whether the role grants the permission (the subtree is checked by the use case)."""
    return permission in GRANTS[actor.role]


def subtree_of(actor: Actor) -> str | None:
    return str(actor.centre_id) if actor.centre_id else None


def centre_names(views: Views, actor: Actor) -> dict[str, str]:
    """The centres of the user's subtree, id -> name, by name (the whole tree when unbound)."""
    rows = named_aggregates(views.audit, Centre, subtree_of(actor))
    return {str(r["aggregate_id"]): str(r["name"]) for r in rows}


def new_form_key() -> str:
    return secrets.token_urlsafe(16)


def form_context(actor: Actor, request: Request, values: dict[str, str]) -> Context:
    """A write from a page's form: the form's own key makes a second submit a replay."""
    key = values.get(FORM_KEY, "")
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", key):
        return Context(actor)
    shown = sorted((k, v) for k, v in values.items() if k not in ("csrf_token", FORM_KEY))
    digest = hashlib.sha256(repr((request.url.path, shown)).encode()).hexdigest()
    return Context(actor, idempotency_key=f"web-form-{key}", request_sha256=digest)


def translator(request: Request) -> Translator:
    return Translator(language_of(request))


def refusal(t: Translator, error: BangfuError) -> str:
    """The ledger's refusal for a form: its kind in the visitor's language, then its detail."""
    key = f"households.refused.{slug(type(error))}"
    if key not in MESSAGES:
        return error.detail
    return t("households.refused", title=t(key), detail=error.detail)


def yuan_text(amount: str | None) -> str:
    """A yuan string of a read model ("1234.50") as people read it: ¥1,234.50."""
    if amount is None or amount == "":
        return ""
    return display_yuan(parse_yuan(str(amount), allow_zero=True))


def short_id(case_id: UUID | str) -> str:
    """The archive number as people quote it: its first 8 hex characters."""
    return str(case_id)[:8]


def query_of(values: dict[str, Any]) -> dict[str, str]:
    """The non-empty parameters of a link."""
    return {k: str(v) for k, v in values.items() if v not in (None, "")}
