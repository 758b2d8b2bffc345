"""The audit trail: events as the audit view holds them, the timeline, signed checkpoints."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.responses.base import DayText, MomentText, Row, UuidText


class AuditEventOut(Row):
    """One event of the trail: where in the log, what, on which record, who and both clocks."""

    position: int
    originator_id: UuidText
    aggregate: str
    type: str
    type_zh: str
    version: int
    actor: str
    recorded_at: MomentText
    business_date: DayText | None
    centre_id: UuidText | None
    fund_id: UuidText | None
    case_id: UuidText | None
    data: dict[str, Any]


class TimelineEntry(AuditEventOut):
    summary: str = Field(description="the event as a sentence")
    fund_name: str | None = Field(default=None, description="payments only: the fund's name")


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    next: int | None = Field(description="pass as `after` for the next page; null at the end")


class PublicKeyOut(BaseModel):
    """The key that verifies checkpoints: pin it with `bangfu audit verify --fingerprint`."""

    key_id: str
    fingerprint: str = Field(description="SHA-256 of the PEM text, 64 hex digits")
    public_key_pem: str
    algorithm: str


class CheckpointOut(Row):
    """The chain's head at a moment, signed with Ed25519."""

    position: int
    link: str
    taken_at: MomentText
    key_id: str
    signature: str
