"""Health and vocabulary: the words the API uses, with their Chinese terms."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import LedgerDep, ViewsDep
from domain.vocabulary import TERMS

router = APIRouter(tags=["meta"])


@router.get("/health")
def health(ledger: LedgerDep) -> dict[str, object]:
    return {"status": "ok", "position": ledger.recorder.max_notification_id()}


@router.get("/projections/status")
def projections_status(views: ViewsDep, ledger: LedgerDep) -> list[dict[str, object]]:
    """Each view's generation, position and lag behind the log."""
    head = ledger.recorder.max_notification_id() or 0
    out: list[dict[str, object]] = []
    for view in views.projector.views:
        state = views.projector.state(view.name)
        position = state.position if state else 0
        out.append(
            {
                "view": view.name,
                "generation": state.generation if state else None,
                "position": position,
                "head": head,
                "lag": head - position,
            }
        )
    return out


@router.get("/vocabulary")
def vocabulary() -> dict[str, list[dict[str, str]]]:
    """Every enum value the API accepts, with its Chinese term (中文术语)."""
    return {name: [{"value": t.value, "zh": t.zh} for t in term] for name, term in TERMS.items()}
