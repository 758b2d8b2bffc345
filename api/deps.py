"""Request dependencies: the ledger, the acting user, and the write context."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import orjson
from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator
from starlette.concurrency import run_in_threadpool

from domain.access import Actor, Permission
from domain.application import Context, Ledger
from domain.errors import BangfuError, InvalidInputError, NotAuthenticatedError
from projections import Views
from stores.sessions import WebSession

# The window of business dates and years a query may name, and the largest log position or
# version (PostgreSQL BIGINT, SQLite INTEGER): anything outside is refused with 422 before it can
# overflow a date computation or a store's integer type.
FIRST_DAY, LAST_DAY = date(1949, 1, 1), date(2200, 12, 31)
FIRST_YEAR, LAST_YEAR = FIRST_DAY.year, LAST_DAY.year
MAX_POSITION = 2**63 - 1


def _day_in_window(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"a date from {FIRST_DAY} to {LAST_DAY} is expected")
    return value


def _moment_in_window(value: datetime) -> datetime:
    _day_in_window(value.date())
    return value


Day = Annotated[date, AfterValidator(_day_in_window)]
"""A date query parameter, 1949-01-01 .. 2200-12-31."""
Moment = Annotated[datetime, AfterValidator(_moment_in_window)]
"""A date-time query parameter whose date lies in 1949-01-01 .. 2200-12-31."""
DateFrom = Annotated[Day | None, Query(alias="from", description="from this day")]
DateTo = Annotated[Day | None, Query(alias="to", description="to this day (today if left out)")]
"""A period's first and last days as query parameters (``from``, ``to``)."""

_bearer = HTTPBearer(auto_error=False, description="A token printed by `bangfu user add`")


async def get_ledger(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


LedgerDep = Annotated[Ledger, Depends(get_ledger)]


SESSION_COOKIE = "bangfu_session"
CSRF_FIELD, CSRF_HEADER = "csrf_token", "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CsrfError(BangfuError):
    """The form could not be verified (its CSRF token is missing or wrong)."""


def require_csrf(expected: str, sent: str) -> None:
    """Refuse a write whose CSRF token is missing or not the expected one."""
    if not expected or not sent or not secrets.compare_digest(expected, sent):
        raise CsrfError("the form's CSRF token is missing or wrong; reload the page and retry")


def session_of(request: Request) -> tuple[str, WebSession] | None:
    """The live web session named by the request's cookie, if any."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    state = request.app.state
    session = state.sessions.get(token, state.ledger.clock.now())
    return (token, session) if session is not None else None


async def current_actor(
    request: Request,
    ledger: LedgerDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """The user of a bearer token (API clients) or of a web session (the pages' own calls,
    with the session's CSRF token in ``X-CSRF-Token`` on a write). A token accepted a moment
    ago is answered on the event loop; anything that reads the store, in a worker thread."""
    actor = None
    if credentials is not None and credentials.scheme.lower() == "bearer":
        actor = ledger.remembered_actor(credentials.credentials)
    if actor is None:
        actor = await run_in_threadpool(_actor_of, request, ledger, credentials)
    request.state.actor = actor.name  # for the request's log line (api/observability)
    return actor


def _actor_of(
    request: Request, ledger: Ledger, credentials: HTTPAuthorizationCredentials | None
) -> Actor:
    if credentials is None:
        found = session_of(request)
        if found is not None:
            if request.method in UNSAFE:
                require_csrf(found[1].csrf_token, request.headers.get(CSRF_HEADER, ""))
            return ledger.user(found[1].user_name)
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticatedError(
            "send 'Authorization: Bearer <token>'; `bangfu user add` prints a token"
        )
    return ledger.authenticate(credentials.credentials)


ActorDep = Annotated[Actor, Depends(current_actor)]


async def request_fingerprint(request: Request) -> str:
    body = await request.body()
    try:
        canonical = orjson.dumps(orjson.loads(body), option=orjson.OPT_SORT_KEYS) if body else b""
    except orjson.JSONDecodeError:
        canonical = body
    return hashlib.sha256(
        request.method.encode() + b" " + request.url.path.encode() + b"\n" + canonical
    ).hexdigest()


async def write_context(
    actor: ActorDep,
    fingerprint: Annotated[str, Depends(request_fingerprint)],
    idempotency_key: Annotated[
        str | None,
        Header(description="Repeat a write safely: the same key and body return the first result"),
    ] = None,
) -> Context:
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise InvalidInputError("an Idempotency-Key has 1 to 200 characters")
    return Context(actor=actor, idempotency_key=idempotency_key, request_sha256=fingerprint)


ContextDep = Annotated[Context, Depends(write_context)]


def centre_scope(ledger: Ledger, actor: Actor, centre_id: UUID | None) -> str | None:
    """The centre to search under: the one asked for (if the user may), else the user's own;
    None means the whole tree."""
    if centre_id is not None:
        ledger.centre(actor, centre_id)
        return str(centre_id)
    actor.require(Permission.READ)
    return str(actor.centre_id) if actor.centre_id else None


SubtreeOf = Annotated[
    UUID | None, Query(description="a centre of the user's subtree; the user's own if unset")
]


def subtree(ledger: Ledger, actor: Actor, centre_id: UUID | None = None) -> str | None:
    """The subtree a list covers (``centre_scope``), checked before anything is read."""
    return centre_scope(ledger, actor, centre_id)


async def _subtree_of_request(
    ledger: LedgerDep, actor: ActorDep, centre_id: SubtreeOf = None
) -> str | None:
    """``subtree`` as a dependency: the user's own subtree (no ``centre_id``) reads nothing,
    so it is answered on the event loop; a centre asked for is read in a worker thread."""
    if centre_id is None:
        return subtree(ledger, actor)
    return await run_in_threadpool(subtree, ledger, actor, centre_id)


SubtreeDep = Annotated[str | None, Depends(_subtree_of_request)]


async def get_views(request: Request) -> Views:
    views: Views = request.app.state.views
    return views


ViewsDep = Annotated[Views, Depends(get_views)]
MinPosition = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_POSITION,
        description="read-your-writes: wait (briefly) until the view has applied this log "
        "position, which every write answers with",
    ),
]


def caught_up(views: Views, view: str, min_position: int | None, wait_seconds: float) -> None:
    """Wait for the view to reach the client's last write, or raise ViewBehindError."""
    if min_position:
        head = views.projector.ledger.recorder.max_notification_id() or 0
        if min_position > head:
            raise InvalidInputError(
                f"no write has reached log position {min_position}; the log ends at {head}"
            )
        views.projector.wait_for(view, min_position, wait_seconds)


@dataclass(frozen=True)
class Reader:
    """A read of the views for a user: who asks, and the log position the answer must include."""

    actor: Actor
    ledger: Ledger
    views: Views
    min_position: int | None
    wait_seconds: float

    def caught_up(self, view: str) -> Views:
        """The views, once ``view`` has applied ``min_position`` (else ViewBehindError)."""
        caught_up(self.views, view, self.min_position, self.wait_seconds)
        return self.views

    def caught_up_to_head(self, view: str) -> Views:
        """The views, once ``view`` has applied the whole log as it is now."""
        head = self.ledger.recorder.max_notification_id() or 0
        caught_up(self.views, view, max(head, self.min_position or 0), self.wait_seconds)
        return self.views


async def reader(
    request: Request,
    actor: ActorDep,
    ledger: LedgerDep,
    views: ViewsDep,
    min_position: MinPosition = None,
) -> Reader:
    """Reads nothing, so it runs on the event loop: a plain ``def`` would cost every read a
    round trip through the worker threads (FastAPI runs each sync dependency in one)."""
    wait_seconds = request.app.state.settings.read_wait_seconds
    return Reader(actor, ledger, views, min_position, wait_seconds)


ReaderDep = Annotated[Reader, Depends(reader)]
