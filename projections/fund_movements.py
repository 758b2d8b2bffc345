"""A fund's movements: each balance change with its counterparty and the running balance."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.domain import AggregateEvent

from domain.catalogue import meaning
from domain.money import yuan
from projections.history import event_type


def movements(events: Iterable[AggregateEvent]) -> list[dict[str, Any]]:
    """Every event that moved money, oldest first, with the balance after each."""
    balance = 0
    rows: list[dict[str, Any]] = []
    for event in events:
        what = meaning(event)
        if what.leg is None:
            continue
        name, leg, fields = event_type(event), what.leg, event.__dict__
        amount = leg.sign * int(fields[leg.amount])
        balance += amount
        kind, counterparty = leg.counterparty_of(fields)
        rows.append(
            {
                "version": event.originator_version,
                "type": name,
                "type_zh": what.zh,
                "amount": yuan(amount),
                "balance_after": yuan(balance),
                "counterparty_kind": kind,
                "counterparty_id": str(counterparty) if counterparty else None,
                "payer": fields.get("payer"),
                "assistance_type": fields.get("assistance_type"),
                "corrects": fields.get(what.correction_of) if what.correction_of else None,
                "reference": fields.get("reference", fields.get("reason", "")),
                "business_date": fields["business_date"],
                "recorded_at": event.timestamp,
                "actor": fields["actor"],
            }
        )
    return rows
