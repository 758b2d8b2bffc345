"""What the funds pages share: reading the views for the visitor, sorting and paging rows, the
fields of the money forms (parsed by the API's rules), and a form's write, its refusals put
beside their field."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from fastapi import Request

from api.deps import Reader
from api.problems import slug
from api.web.forms import Form
from api.web.i18n import Translator, language_of
from api.web.messages import MESSAGES
from api.web.templating import money
from api.web.visitors import Visitor
from domain.access import Actor, Permission
from domain.application import Context, Ledger, Outcome
from domain.clock import check_business_date
from domain.errors import (
    BangfuError,
    CaseClosedError,
    CaseNotFoundError,
    CaseOutsideFundTreeError,
    CentreNotFoundError,
    ForbiddenError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidInputError,
    NotAChildCentreError,
    NotAuthenticatedError,
    PurposeNotAllowedError,
)
from domain.text import problem as text_problem

PAGE_SIZE = 25
EVERY_ROW = 1_000_000  # a page lists rows of one subtree or one fund: all of them, then pages
KEY_FIELD = "idempotency_key"


def reader(request: Request, visitor: Visitor, ledger: Ledger, min_position: int | None) -> Reader:
    """The views for this visitor, as the API's ReaderDep gives them."""
    state = request.app.state
    wait = state.settings.read_wait_seconds
    return Reader(visitor.actor, ledger, state.views, min_position, wait)


def may_record(actor: Actor, centre_path: list[UUID]) -> bool:
    """Whether the ledger would let this person move money at this centre."""
    try:
        actor.require(Permission.RECORD_MONEY, centre_path)
    except ForbiddenError:
        return False
    return True


@dataclass(frozen=True)
class Paged:
    """One page of rows, sorted, and what the pager needs."""

    rows: list[dict[str, Any]]
    page: int
    has_next: bool
    count: int


def sort_and_page(
    rows: Sequence[dict[str, Any]],
    sort: str,
    keys: dict[str, Callable[[dict[str, Any]], Any]],
    default: str,
    page: int,
) -> Paged:
    """``sort`` is a key of ``keys``, "-" in front for descending; unknown keys sort by default."""
    wanted = sort if sort.removeprefix("-") in keys else default
    key = keys[wanted.removeprefix("-")]
    ordered = sorted(rows, key=key, reverse=wanted.startswith("-"))
    page = max(1, page)
    start = (page - 1) * PAGE_SIZE
    chosen = ordered[start : start + PAGE_SIZE]
    return Paged(chosen, page, start + PAGE_SIZE < len(ordered), len(ordered))


def number(text: str, low: int, high: int) -> int | None:
    """A whole number typed in a filter, or None when empty or out of range."""
    text = text.strip()
    if not text.isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None


# --- the money forms ------------------------------------------------------------------------------
def line(form: Form, name: str, required: bool = False) -> str:
    """One line of text (a payer, a reference, a reason), by the API's rule for such fields."""
    value = form.text(name, required)
    why = text_problem(value)
    if why is not None:
        form.errors[name] = "funds.error.too_long" if "longer" in why else "funds.error.control"
    return value


def amount(form: Form, name: str = "amount") -> int:
    """Yuan with at most two decimals, more than zero (domain.money.parse_yuan) as fen."""
    fen = form.yuan(name)
    if name in form.errors and form.errors[name] != "form.required":
        form.errors[name] = "funds.error.amount"
    return fen


def business_date(form: Form, today: date, required: bool = True) -> date | None:
    """A business date within the ledger's window (the same check the use cases make)."""
    day = form.day("business_date", required)
    if day is not None:
        try:
            check_business_date(day, today)
        except InvalidInputError:
            form.errors["business_date"] = "funds.error.date_window"
    return day


def new_key() -> str:
    """A key for one form: sending the same form twice records the money once."""
    return uuid4().hex


def context(request: Request, visitor: Visitor, form: Form) -> Context:
    """The write's context: who acts, and the form's own key with a fingerprint of what was
    typed, so that a form sent twice (a double click, a reload) is recorded once."""
    typed = {k: v for k, v in sorted(form.values.items()) if k not in ("csrf_token", KEY_FIELD)}
    body = json.dumps(typed, ensure_ascii=False, sort_keys=True)
    fingerprint = hashlib.sha256(f"POST {request.url.path}\n{body}".encode()).hexdigest()
    key = form.values.get(KEY_FIELD, "").strip()
    key_ok = 1 <= len(key) <= 200 and key.isalnum()
    return Context(visitor.actor, key if key_ok else None, fingerprint)


def attempt(
    request: Request,
    visitor: Visitor,
    form: Form,
    fields: Sequence[str],
    write: Callable[[Context], Outcome[Any]],
) -> Outcome[Any] | None:
    """Make the write when the form is fine; None when it is not, or when the ledger refuses
    (its refusal then stands beside the field it is about, for the form shown again)."""
    if not form.ok:
        return None
    try:
        return write(context(request, visitor, form))
    except BangfuError as error:
        refuse(request, form, error, fields)
        return None


FIELD_OF: tuple[tuple[type[BangfuError], str], ...] = (
    (InvalidAmountError, "amount"),
    (InsufficientFundsError, "amount"),
    (PurposeNotAllowedError, "assistance_type"),
    (CaseClosedError, "case_id"),
    (CaseNotFoundError, "case_id"),
    (CaseOutsideFundTreeError, "case_id"),
    (NotAChildCentreError, "to_centre_id"),
    (CentreNotFoundError, "to_centre_id"),
)
WORDS_OF_FIELD = (
    ("business date", "business_date"),
    ("reference", "reference"),
    ("payer", "payer"),
    ("reason", "reason"),
)


def refuse(request: Request, form: Form, error: BangfuError, fields: Sequence[str]) -> None:
    """Put the ledger's refusal beside the field it is about (or above the form), in the
    visitor's language; who may act where is not the form's business (an error page says it)."""
    if isinstance(error, ForbiddenError | NotAuthenticatedError):
        raise error
    field = next((f for kind, f in FIELD_OF if isinstance(error, kind)), "_form")
    if field == "_form" and isinstance(error, InvalidInputError):
        field = next((f for words, f in WORDS_OF_FIELD if words in error.detail), "_form")
    form.errors[field if field in fields else "_form"] = refusal_text(request, error)


def refusal_text(request: Request, error: BangfuError) -> str:
    """The refusal in the visitor's language: our own words where we have them, with the
    ledger's detail beside them."""
    t = Translator(language_of(request))
    if isinstance(error, InsufficientFundsError):
        return t(
            "funds.refused.insufficient",
            balance=money(error.balance_fen),
            amount=money(error.amount_fen),
        )
    kind = slug(type(error))
    key = f"funds.refused.{kind}"
    title = t(key) if key in MESSAGES else t.problem(kind, "")
    if not title:
        return error.detail
    return f"{title}（{error.detail}）" if t.lang == "zh" else f"{title} ({error.detail})"
