"""Local policy (地方政策): what is in force at a centre on a date, the settings that bear on
it, and recording, correcting or withdrawing a setting (admins of a subtree holding the centre).

Reads come from the policy view (projections/policy.py), which resolves a centre's path with the
same function the checks and the audit package's verifier use (domain/policy.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ContextDep, Day, LedgerDep, ReaderDep
from api.responses.base import DayText, MomentText, UuidText
from api.routers import CREATED
from api.routers.supervision import settled
from api.schemas import Created, Name
from domain.policy import Setting
from domain.policy_parameters import Parameter, shown
from projections import policy as policy_view

router = APIRouter(prefix="/policy", tags=["policy 地方政策"])


class SettingIn(BaseModel):
    """A parameter's value at a centre from a date on; a correction names the setting it
    replaces (same parameter and subject)."""

    model_config = ConfigDict(extra="forbid")
    centre_id: UUID
    parameter: Parameter
    subject: str | None = Field(
        default=None,
        max_length=40,
        description="what the value is for, when the parameter takes one "
        "(a category, school level, matching level, assistance type or filing step)",
    )
    value: str = Field(
        min_length=1,
        max_length=24,
        description='yuan for money ("790.00"), else a whole number of months, days or percent',
        examples=["790.00", "12"],
    )
    effective_from: date = Field(description="the first day the value applies")
    reason: Name = Field(description="why, e.g. the document that sets it")
    corrects: UUID | None = Field(default=None, description="the setting this one replaces")


class WithdrawalIn(BaseModel):
    """A setting of a centre that stops counting: the centres above it decide again."""

    model_config = ConfigDict(extra="forbid")
    centre_id: UUID
    setting_id: UUID
    reason: Name


class InForceRow(BaseModel):
    """A parameter for a subject, with the value in force and where it comes from."""

    parameter: str
    parameter_zh: str
    parameter_en: str
    subject: str | None
    subject_zh: str | None
    unit: str
    unit_zh: str
    value: str | None = Field(description="yuan for money, else a whole number; null: none")
    set_at: UuidText | None = Field(description="the centre that set it; null: the default")
    set_at_name: str | None
    since: DayText | None = Field(description="the day the value took effect")
    setting_id: UuidText | None


class InForceOut(BaseModel):
    centre_id: UuidText
    on: DayText
    parameters: list[InForceRow]


class SettingOut(BaseModel):
    """A setting as recorded, and what became of it."""

    setting_id: UuidText
    position: int
    centre_id: UuidText
    centre_name: str | None
    parameter: str
    subject: str | None
    value: str
    effective_from: DayText
    reason: str
    corrects: UuidText | None
    actor: str
    business_date: DayText
    recorded_at: MomentText
    status: Literal["in_effect", "corrected", "withdrawn"]
    replaced_by: UuidText | None
    withdrawal_reason: str | None


class HistoryOut(BaseModel):
    settings: list[SettingOut]
    next: int | None = Field(description="pass as `after` for the next page")


def _row(
    param: Parameter, subject: str | None, found: Setting | None, names: dict[str, str]
) -> dict[str, Any]:
    vocabulary = param.spec.subjects
    return {
        "parameter": param.value,
        "parameter_zh": param.spec.zh,
        "parameter_en": param.spec.en,
        "subject": subject,
        "subject_zh": vocabulary(subject).zh if vocabulary and subject else None,
        "unit": param.spec.unit.en,
        "unit_zh": param.spec.unit.zh,
        "value": shown(param, found.value) if found else None,
        "set_at": found.centre_id if found else None,
        "set_at_name": names.get(found.centre_id or "") if found else None,
        "since": found.effective_from.isoformat() if found else None,
        "setting_id": found.setting_id if found and found.centre_id else None,
    }


@router.get("", response_model=InForceOut)
def in_force(
    read: ReaderDep,
    centre_id: UUID,
    on: Annotated[Day | None, Query(description="the date; today if left out")] = None,
    parameter: Parameter | None = None,
) -> dict[str, Any]:
    """Every policy parameter in force at a centre on a date: its value, and the centre that
    set it (the nearest on the centre's path) since when; or the built-in default."""
    read.ledger.centre(read.actor, centre_id)
    day = on or read.ledger.today()
    views = settled(read, "policy")
    found, names = policy_view.in_force(views.policy, str(centre_id), day)
    rows = [_row(p, s, f, names) for p, s, f in found if parameter in (None, p)]
    return {"centre_id": str(centre_id), "on": day.isoformat(), "parameters": rows}


@router.get("/history", response_model=HistoryOut)
def history(
    read: ReaderDep,
    centre_id: UUID,
    parameter: Parameter | None = None,
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="a page's `next`")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The settings that bear on a centre (at it and above it) and those below it, in the
    order they were recorded, each with what became of it (corrected, withdrawn)."""
    read.ledger.centre(read.actor, centre_id)
    views = settled(read, "policy")
    name = parameter.value if parameter else None
    rows = policy_view.history(views.policy, str(centre_id), name, after, limit + 1)
    page = [_setting(r) for r in rows[:limit]]
    return {"settings": page, "next": page[-1]["position"] if len(rows) > limit else None}


def _setting(r: dict[str, Any]) -> dict[str, Any]:
    status = "withdrawn" if r["withdrawn_by"] else "corrected" if r["replaced_by"] else "in_effect"
    return r | {"value": shown(Parameter(r["parameter"]), int(r["value"])), "status": status}


@router.post("", **CREATED)
def set_policy(body: SettingIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Record a parameter's value at a centre from a date on, or correct a setting (admin of a
    subtree holding the centre); answers with the setting's id."""
    outcome = ledger.set_policy(
        ctx,
        body.centre_id,
        body.parameter,
        body.subject,
        body.value,
        body.effective_from,
        body.reason,
        body.corrects,
    )
    return Created.of(outcome)


@router.post("/withdrawals", **CREATED)
def withdraw(body: WithdrawalIn, ctx: ContextDep, ledger: LedgerDep) -> Created:
    """Withdraw a setting of a centre: it stops counting, and the centres above decide again."""
    outcome = ledger.withdraw_policy(ctx, body.centre_id, body.setting_id, body.reason)
    return Created.of(outcome)
