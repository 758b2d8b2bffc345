"""Idempotency records: a retried write with the same key returns the first result."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import LedgerAggregate

_KEYS = uuid5(NAMESPACE_URL, "https://bangfu.example/idempotency-keys")


def idempotency_id(actor: str, key: str) -> UUID:
    """Keys are scoped per user."""
    return uuid5(_KEYS, f"{actor}\x00{key}")


class IdempotencyRecord(LedgerAggregate):
    """Saved in the same transaction as the write it guards."""

    # events made by the @event methods below, declared here for type checkers
    Recorded: ClassVar[type[LedgerAggregate.Event]]

    @event("Recorded")
    def __init__(
        self, id: UUID, request_sha256: str, result: dict[str, Any], actor: str, business_date: date
    ) -> None:
        self.request_sha256 = request_sha256
        self.result = dict(result)
