"""A fund's movements: each balance change with its counterparty and the running balance."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.domain import AggregateEvent

from domain.money import yuan
from projections.history import EVENT_ZH, event_type

# event type -> (sign, counterparty kind, field naming the counterparty)
MOVEMENTS: dict[str, tuple[int, str, str | None]] = {
    "Received": (+1, "payer", None),
    "AllocatedOut": (-1, "child_fund", "to_fund_id"),
    "AllocatedIn": (+1, "parent_fund", "from_fund_id"),
    "Returned": (-1, "parent_fund", "to_fund_id"),
    "ReturnReceived": (+1, "child_fund", "from_fund_id"),
    "Disbursed": (-1, "case", "case_id"),
    "DisbursementReversed": (+1, "case", None),
}


def movements(events: Iterable[AggregateEvent]) -> list[dict[str, Any]]:
    """Every event that moved money, oldest first, with the balance after each."""
    balance = 0
    rows: list[dict[str, Any]] = []
    for event in events:
        name = event_type(event)
        if name not in MOVEMENTS:
            continue
        sign, kind, id_field = MOVEMENTS[name]
        fields = event.__dict__
        amount = sign * int(fields["amount_fen"])
        balance += amount
        counterparty = fields.get(id_field) if id_field else None
        if name == "Returned" and counterparty is None:
            kind = "payer"
        rows.append(
            {
                "version": event.originator_version,
                "type": name,
                "type_zh": EVENT_ZH.get(name, name),
                "amount": yuan(amount),
                "balance_after": yuan(balance),
                "counterparty_kind": kind,
                "counterparty_id": str(counterparty) if counterparty else None,
                "payer": fields.get("payer"),
                "assistance_type": fields.get("assistance_type"),
                "corrects": fields.get("payment_id") if name == "DisbursementReversed" else None,
                "reference": fields.get("reference", fields.get("reason", "")),
                "business_date": fields["business_date"],
                "recorded_at": event.timestamp,
                "actor": fields["actor"],
            }
        )
    return rows
