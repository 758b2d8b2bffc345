"""Health and vocabulary: the words the API uses, with their Chinese terms."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import ActorDep, LedgerDep, ViewsDep
from api.responses import Term, ViewStatus
from domain.access import Permission
from domain.vocabulary import TERMS

router = APIRouter(tags=["meta"])

DEGRADED = "a read model stopped at an event it cannot apply; see /projections/status"


class Health(BaseModel):
    """Liveness, for anyone: "ok", or "degraded" (still 200) with a pointer to the status."""

    status: Literal["ok", "degraded"]
    detail: str | None = Field(default=None, description="only when degraded")


class FailedEvent(BaseModel):
    """The event a view cannot apply."""

    topic: str
    originator_id: str
    originator_version: int


class ProjectionStatus(ViewStatus):
    """A view's generation, position and lag; and, if it stopped at an event it cannot apply,
    that event's position, the event and the error (null otherwise)."""

    failed_at_position: int | None = None
    event: FailedEvent | None = None
    error: str | None = None
    failed_at: str | None = Field(default=None, description="when it first failed (UTC)")


@router.get("/health", response_model=Health, response_model_exclude_none=True)
def health(views: ViewsDep) -> dict[str, str]:
    """Whether the service answers, without authentication and without details: "ok", or
    "degraded" when a read model stopped at an event it cannot apply."""
    if views.projector.failures():
        return {"status": "degraded", "detail": DEGRADED}
    return {"status": "ok"}


@router.get("/projections/status", response_model=list[ProjectionStatus])
def projections_status(
    actor: ActorDep, views: ViewsDep, ledger: LedgerDep
) -> list[dict[str, object]]:
    """Each view's generation, position and lag behind the log, and the event it stopped at
    if it cannot apply one (for signed-in users)."""
    actor.require(Permission.READ)
    head = ledger.recorder.max_notification_id() or 0
    failures = views.projector.failures()
    out: list[dict[str, object]] = []
    for view in views.projector.views:
        state = views.projector.state(view.name)
        position = state.position if state else 0
        failure = failures.get(view.name)
        out.append(
            {
                "view": view.name,
                "generation": state.generation if state else None,
                "position": position,
                "head": head,
                "lag": head - position,
                "failed_at_position": failure.position if failure else None,
                "event": {
                    "topic": failure.topic,
                    "originator_id": failure.originator_id,
                    "originator_version": failure.originator_version,
                }
                if failure
                else None,
                "error": failure.error if failure else None,
                "failed_at": failure.failed_at if failure else None,
            }
        )
    return out


@router.get("/vocabulary", response_model=dict[str, list[Term]])
def vocabulary() -> dict[str, list[dict[str, str]]]:
    """Every enum value the API accepts, with its Chinese term (中文术语)."""
    return {name: [{"value": t.value, "zh": t.zh} for t in term] for name, term in TERMS.items()}
