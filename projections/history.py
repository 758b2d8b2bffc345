"""An aggregate's history: every event in order, readable, with who and both clocks; a case's
timeline shows its referrals' events too (each naming its referral), ordered by business date,
labelled in Chinese and English from the catalogue, money naming the fund and the paying centre."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import AggregateEvent

from domain.catalogue import meaning, shown_fields
from domain.money import yuan
from domain.referrals import Referral
from domain.results import Payer

_BOOKKEEPING = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def event_type(event: AggregateEvent) -> str:
    """The event's short name ("Disbursed"); its meaning is in domain/catalogue.py."""
    return type(event).__name__


def plain(value: Any) -> Any:
    """Make a stored value JSON-friendly; fen amounts are shown as yuan by ``readable``."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return readable(value)
    return value


def readable(fields: dict[str, Any]) -> dict[str, Any]:
    """Rename every ``*_fen`` field to yuan (``amount_fen`` -> ``amount``)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key.endswith("_fen") and isinstance(value, int):
            out[key.removesuffix("_fen")] = yuan(value)
        else:
            out[key] = plain(value)
    return out


def describe(event: AggregateEvent) -> dict[str, Any]:
    """One event as a person reads it."""
    fields = shown_fields(event, {k: v for k, v in event.__dict__.items() if k not in _BOOKKEEPING})
    actor = fields.pop("actor", "")
    business_date = fields.pop("business_date", None)
    if isinstance(event, Referral.Event):  # in a case's timeline: which of its referrals
        fields = {"referral_id": event.originator_id} | fields
    name = event_type(event)
    return {
        "version": event.originator_version,
        "type": name,
        "type_zh": meaning(event).zh,
        "type_en": meaning(event).en,
        "business_date": business_date,
        "recorded_at": event.timestamp,
        "actor": actor,
        "data": readable(fields),
    }


def history(events: Iterable[AggregateEvent]) -> list[dict[str, Any]]:
    return [describe(e) for e in events]


def timeline(
    events: Iterable[AggregateEvent], payer: Callable[[UUID], Payer | None]
) -> list[dict[str, Any]]:
    """A case's timeline: its events (and its referrals' and income records') ordered by
    business date, then by recorded time; every money entry names the fund it came from and the
    centre that paid (``payer`` finds them by the fund's id)."""
    rows, payers = history(events), {}
    for row in rows:
        fund_id = row["data"].get("fund_id")
        if isinstance(fund_id, str) and fund_id not in payers:
            payers[fund_id] = payer(UUID(fund_id))  # each fund loaded once, not once a payment
        found = payers.get(fund_id) if isinstance(fund_id, str) else None
        if found is not None:
            row["data"] |= {
                "fund_name": found.fund_name,
                "paying_centre_id": str(found.centre_id),
                "paying_centre_name": found.centre_name,
            }
    return sorted(rows, key=_when)


def _when(row: dict[str, Any]) -> tuple[str, str]:
    day = row["business_date"] or row["recorded_at"].date()
    return str(day), row["recorded_at"].isoformat()
