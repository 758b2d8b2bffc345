"""What the audit pages share: who may open them, a read of the views for the visitor (as the
JSON API reads them for the same user), the subtree a page covers, display helpers, and the
API's downloads of what a page shows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from api.deps import FIRST_DAY, LAST_DAY, LedgerDep, Reader, ViewsDep, centre_scope
from api.web.forms import Form
from api.web.i18n import language_of
from api.web.visitors import Visitor, VisitorDep
from domain.access import Actor
from domain.application import Ledger
from domain.catalogue import CATALOGUE
from domain.clock import BUSINESS_ZONE
from domain.errors import ForbiddenError
from domain.funds import Fund
from projections import Views
from projections.fund_charts import centres
from projections.fund_reports import list_funds

AUDIT_ROLES = ("auditor", "supervisor", "admin")
ZONE = ZoneInfo(BUSINESS_ZONE)
PAGE = 50  # rows a page of a table holds
CHOICES = 1000  # funds a fund picker offers at most


def auditor(visitor: VisitorDep) -> Visitor:
    """The visitor, if their role works with these pages (as the navigation shows them)."""
    if visitor.actor.role.value not in AUDIT_ROLES:
        raise ForbiddenError(f"the audit pages are for {', '.join(AUDIT_ROLES)}")
    return visitor


AuditorDep = Annotated[Visitor, Depends(auditor)]


def audit_reader(
    request: Request, visitor: AuditorDep, ledger: LedgerDep, views: ViewsDep
) -> Reader:
    """The views read for the visitor, as the JSON API reads them for the same user."""
    wait = request.app.state.settings.read_wait_seconds
    return Reader(visitor.actor, ledger, views, None, wait)


ReaderDep = Annotated[Reader, Depends(audit_reader)]


def whole_tree(actor: Actor) -> bool:
    """Reports the API keeps to users bound to no centre (conservation, a fund's trace)."""
    return actor.centre_id is None


def subtree(ledger: Ledger, actor: Actor, centre_id: UUID | None) -> str | None:
    """The centre asked for (if the user may read it), else the user's own; None: the whole
    tree (only for a user bound to no centre)."""
    return centre_scope(ledger, actor, centre_id)


def report_centre(actor: Actor, centre_id: UUID | None) -> UUID | None:
    """The centre a supervision report is asked for: the one chosen, else the user's own (the
    API answers a bound user's report on the whole ledger with 403)."""
    return centre_id if centre_id is not None else actor.centre_id


def centre_choices(views: Views, scope: str | None) -> list[tuple[str, str]]:
    return [(c["centre_id"], c["name"]) for c in centres(views.funds, scope)]


def fund_choices(views: Views, scope: str | None) -> list[dict[str, Any]]:
    """The funds of the subtree, by name and year, for a picker."""
    rows = list_funds(views.funds, scope, None, CHOICES)
    return sorted(rows, key=lambda r: (r["name"], r["fiscal_year"], r["path"]))


def fund_event(name: str) -> type[Any] | None:
    """A fund's event class from the name a posting stores (``type(event).__name__``)."""
    found = getattr(Fund, name, None)
    return found if isinstance(found, type) and found in CATALOGUE else None


def event_kinds(lang: str) -> list[tuple[str, str]]:
    """Every event name the trail can be filtered on, with its label (names shared by two
    kinds of record show both labels)."""
    labels: dict[str, list[str]] = {}
    for cls, meaning in CATALOGUE.items():
        text = meaning.zh if lang == "zh" else meaning.en
        labels.setdefault(cls.__name__, [])
        if text not in labels[cls.__name__]:
            labels[cls.__name__].append(text)
    return sorted(((k, " / ".join(v)) for k, v in labels.items()), key=lambda kv: kv[1])


def day_in_window(form: Form, name: str) -> date | None:
    """A date field within the window the API accepts, the audit pages saying which window."""
    return form.day_in_window(name, "audit.bad_day_window")


def moment(form: Form, name: str) -> datetime | None:
    """A date-time field (``2026-03-01T12:00``, as a browser sends it), in Asia/Shanghai."""
    text = form.text(name, required=False)
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        form.errors[name] = "audit.bad_moment"
        return None
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        form.errors[name] = "audit.bad_day_window"
        return None
    return value if value.tzinfo else value.replace(tzinfo=ZONE)


def start_of(day: date) -> datetime:
    """The first moment of a business date in Asia/Shanghai."""
    return datetime.combine(day, time(), ZONE)


def end_of(day: date) -> datetime:
    """The first moment after a business date (the trail's upper bound is exclusive)."""
    return start_of(day + timedelta(days=1))


def export_links(request: Request, path: str, params: dict[str, Any]) -> dict[str, str]:
    """The API's CSV and XLSX downloads of the same report, with headers in the page's language."""
    lang = language_of(request)
    given = {k: str(v) for k, v in params.items() if v not in (None, "")}
    return {
        fmt: f"{path}?{urlencode(given | {'format': fmt, 'lang': lang})}" for fmt in ("xlsx", "csv")
    }
